/**
 * tfjs-core alone registers no gradient functions; the umbrella `@tensorflow/tfjs` does, into the
 * registry every copy of tfjs-core shares. Its Node (CommonJS) build is the only form that loads in
 * plain Node ESM — tfjs-core's own `dist/register_all_gradients` uses directory imports that Node
 * refuses — so training code loads it once, here.
 */
let registration: Promise<void> | undefined;

// Held in a variable so bundlers and the type checker leave this optional peer alone.
const UMBRELLA_PACKAGE = "@tensorflow/tfjs";

export function registerGradients(): Promise<void> {
  registration ??= import(UMBRELLA_PACKAGE).then(
    () => undefined,
    (error: unknown) => {
      registration = undefined;
      throw new Error(
        `Gradients need ${UMBRELLA_PACKAGE} (it registers tfjs-core's gradient functions): install it next to @tensorflow/tfjs-core (${error instanceof Error ? error.message : String(error)})`,
      );
    },
  );
  return registration;
}
