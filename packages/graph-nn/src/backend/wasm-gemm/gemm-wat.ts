/**
 * WebAssembly text of NetMARL's matrix-product kernels for the wasm backend (see wasm-gemm.ts for
 * why they exist). `scripts/generate-gemm-wasm.ts` assembles this text with wabt into
 * `gemm-binaries.generated.ts`; a test checks that the committed binaries are this text's.
 *
 * Exports, all addresses and strides in bytes of the memory the module imports (the backend's heap):
 *
 * - `pack(src, kStride, nStride, dst, K, N)`: dst[p][k][j] = src[k·kStride + (8p + j)·nStride], i.e.
 *   B [K, N] (or Bᵀ, by swapping the strides) as panels of 8 columns, k-major, zero beyond column N.
 * - `gemm(a, mStride, kStride, b, bk, bPanel, c, ldc, M, K, N, alpha, bias, relu, accumulate, tmp)`:
 *   C[m][n] = relu?( (accumulate ? C[m][n] : 0) + alpha·Σ_k A(m, k)·B(k, n) + bias[n] ) for
 *   A(m, k) at a + m·mStride + k·kStride (row-major A or a transposed view), B(k, 8p + j) at
 *   b + p·bPanel + k·bk + 4j (packed panels, or an unpacked row-major B whose N is a multiple of 8),
 *   bias a zero-padded float array (0 = none) and tmp a 128-byte scratch area for the last, partial
 *   column panel. Row tiles of 4 × 8 keep 8 accumulators, 2 B vectors and 1 A splat in registers.
 *   Rows go in blocks of `rowBlock` (a multiple of 4), each block through every column panel, so a
 *   block of A stays in cache while B's panels stream past it (panels outermost re-read all of a
 *   tall A once per panel).
 *
 * - `copyRows(src, srcStride, dst, dstStride, rows, bytes)`: `bytes` from each of `rows` rows, a strided
 *   block copy — the column concat and column slice of `concatColumns`' kernels.
 * - `reluGradient(dy, y, out, count)`: out = dy · step(y) (step: 1 where y > 0, NaN where y is NaN, else 0) —
 *   ReLU's backward as one pass
 *   (tfjs: a `Step` and a `Multiply` kernel and a temporary).
 *
 * With `fma`, products accumulate with `f32x4.relaxed_madd` (relaxed SIMD: one fused multiply-add on
 * x86 with FMA, which roughly doubles the throughput); its rounding is fixed for a machine but can
 * differ between machines, which is why the loader reports which variant runs.
 */
export interface GemmWatOptions {
  /** Multiply-add with relaxed SIMD's `f32x4.relaxed_madd`. */
  fma: boolean;
  /** Import a shared memory (the threaded wasm build's heap). */
  shared: boolean;
}

const ROWS = 4;
/** Module name of the imported heap (what `new WebAssembly.Instance(…, { env: { memory } })` passes). */
const IMPORT_MODULE = "env";

export function gemmWat({ fma, shared }: GemmWatOptions): string {
  const memory = shared ? "(memory 1 65536 shared)" : "(memory 1)";
  return `(module
  (import "${IMPORT_MODULE}" "memory" ${memory})
${packFunction()}
${gemmFunction(fma)}
${copyRowsFunction()}
${reluGradientFunction()}
)
`;
}

function packFunction(): string {
  return `  (func (export "pack") (param $src i32) (param $kStride i32) (param $nStride i32) (param $dst i32)
      (param $K i32) (param $N i32)
    (local $p i32) (local $k i32) (local $j i32) (local $column i32) (local $row i32)
    (block $panelsDone (loop $panels
      (br_if $panelsDone (i32.ge_u (local.get $p) (local.get $N)))
      (local.set $k (i32.const 0))
      (block $rowsDone (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $row (i32.add (local.get $src) (i32.mul (local.get $k) (local.get $kStride))))
        (local.set $j (i32.const 0))
        (block $lanesDone (loop $lanes
          (br_if $lanesDone (i32.ge_u (local.get $j) (i32.const 8)))
          (local.set $column (i32.add (local.get $p) (local.get $j)))
          (f32.store (local.get $dst)
            (if (result f32) (i32.lt_u (local.get $column) (local.get $N))
              (then (f32.load (i32.add (local.get $row) (i32.mul (local.get $column) (local.get $nStride)))))
              (else (f32.const 0))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $lanes)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $rows)))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $panels)))
  )`;
}

/** `copyRows(src, srcStride, dst, dstStride, rows, bytes)`: a strided block copy (column concat and slice). */
function copyRowsFunction(): string {
  return `  (func (export "copyRows") (param $src i32) (param $srcStride i32) (param $dst i32)
      (param $dstStride i32) (param $rows i32) (param $bytes i32)
    (block $done (loop $rowsLoop
      (br_if $done (i32.eqz (local.get $rows)))
      (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))
      (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
      (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
      (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
      (br $rowsLoop)))
  )`;
}

/** `reluGradient(dy, y, out, count)`: out = dy where y > 0, else 0 (ReLU's backward in one pass). */
function reluGradientFunction(): string {
  // Exactly dy · step(y) with tfjs's step: 1 where y > 0, NaN where y is NaN, else 0 — so a NaN or
  // infinite dy still gives NaN where y ≤ 0, as on the other backends.
  return `  (func (export "reluGradient") (param $dy i32) (param $y i32) (param $out i32) (param $count i32)
    (local $yv v128) (local $ys f32)
    (block $vectorsDone (loop $vectors
      (br_if $vectorsDone (i32.lt_u (local.get $count) (i32.const 4)))
      (local.set $yv (v128.load (local.get $y)))
      (v128.store (local.get $out)
        (f32x4.mul (v128.load (local.get $dy))
          (v128.bitselect (v128.const f32x4 1 1 1 1)
            (v128.and (local.get $yv) (f32x4.ne (local.get $yv) (local.get $yv)))
            (f32x4.gt (local.get $yv) (v128.const i32x4 0 0 0 0)))))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (local.set $count (i32.sub (local.get $count) (i32.const 4)))
      (br $vectors)))
    (block $restDone (loop $rest
      (br_if $restDone (i32.eqz (local.get $count)))
      (local.set $ys (f32.load (local.get $y)))
      (f32.store (local.get $out)
        (f32.mul (f32.load (local.get $dy))
          (select (f32.const 1)
            (select (local.get $ys) (f32.const 0) (f32.ne (local.get $ys) (local.get $ys)))
            (f32.gt (local.get $ys) (f32.const 0)))))
      (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
      (local.set $y (i32.add (local.get $y) (i32.const 4)))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br $rest)))
  )`;
}

function gemmFunction(fma: boolean): string {
  const accumulators = (rows: number) =>
    Array.from({ length: rows }, (_, r) => [`$c${r}_0`, `$c${r}_1`]).flat();
  const all = accumulators(ROWS);
  return `  (func (export "gemm") (param $a i32) (param $mStride i32) (param $kStride i32) (param $b i32)
      (param $bk i32) (param $bPanel i32) (param $c i32) (param $ldc i32) (param $M i32) (param $K i32)
      (param $N i32) (param $alpha f32) (param $bias i32) (param $relu i32) (param $accumulate i32)
      (param $tmp i32) (param $rowBlock i32)
    (local $p i32) (local $m i32) (local $k i32) (local $valid i32) (local $panel i32)
    (local $m0 i32) (local $mEnd i32)
    (local $ap i32) (local $bp i32) (local $cp i32) (local $i i32)
    (local $va v128) (local $b0 v128) (local $b1 v128) (local $scale v128)
    (local $bias0 v128) (local $bias1 v128)
    ${all.map((name) => `(local ${name} v128)`).join(" ")}
    (local.set $scale (f32x4.splat (local.get $alpha)))
    (block $blocksDone (loop $blocks
    (br_if $blocksDone (i32.ge_u (local.get $m0) (local.get $M)))
    (local.set $mEnd (i32.add (local.get $m0) (local.get $rowBlock)))
    (if (i32.gt_u (local.get $mEnd) (local.get $M)) (then (local.set $mEnd (local.get $M))))
    (local.set $panel (local.get $b))
    (local.set $p (i32.const 0))
    (block $panelsDone (loop $panels
      (br_if $panelsDone (i32.ge_u (local.get $p) (local.get $N)))
      (local.set $valid (i32.sub (local.get $N) (local.get $p)))
      (if (i32.gt_u (local.get $valid) (i32.const 8)) (then (local.set $valid (i32.const 8))))
      (if (local.get $bias)
        (then
          (local.set $bias0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $p) (i32.const 2)))))
          (local.set $bias1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $p) (i32.const 2)))))))
      (local.set $m (local.get $m0))
      (block $tilesDone (loop $tiles
        (br_if $tilesDone (i32.gt_u (i32.add (local.get $m) (i32.const ${ROWS})) (local.get $mEnd)))
${tile(ROWS, fma)}
        (local.set $m (i32.add (local.get $m) (i32.const ${ROWS})))
        (br $tiles)))
      (block $restDone (loop $rest
        (br_if $restDone (i32.ge_u (local.get $m) (local.get $mEnd)))
${tile(1, fma)}
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $rest)))
      (local.set $panel (i32.add (local.get $panel) (local.get $bPanel)))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $panels)))
    (local.set $m0 (local.get $mEnd))
    (br $blocks)))
  )`;
}

/** One tile of `rows` × 8 outputs at rows m…, column panel p. */
function tile(rows: number, fma: boolean): string {
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    lines.push(
      `(local.set $c${r}_0 (v128.const i32x4 0 0 0 0))`,
      `(local.set $c${r}_1 (v128.const i32x4 0 0 0 0))`,
    );
  }
  lines.push(
    "(local.set $ap (i32.add (local.get $a) (i32.mul (local.get $m) (local.get $mStride))))",
    "(local.set $bp (local.get $panel))",
    "(local.set $k (local.get $K))",
    "(if (local.get $k) (then (loop $products",
    "  (local.set $b0 (v128.load (local.get $bp)))",
    "  (local.set $b1 (v128.load offset=16 (local.get $bp)))",
  );
  for (let r = 0; r < rows; r++) {
    const address =
      r === 0
        ? "(local.get $ap)"
        : `(i32.add (local.get $ap) (i32.mul (local.get $mStride) (i32.const ${r})))`;
    lines.push(`  (local.set $va (v128.load32_splat ${address}))`);
    for (const j of [0, 1]) lines.push(`  ${multiplyAdd(`$c${r}_${j}`, `$b${j}`, fma)}`);
  }
  lines.push(
    "  (local.set $ap (i32.add (local.get $ap) (local.get $kStride)))",
    "  (local.set $bp (i32.add (local.get $bp) (local.get $bk)))",
    "  (local.set $k (i32.sub (local.get $k) (i32.const 1)))",
    "  (br_if $products (local.get $k)))))",
  );
  for (let r = 0; r < rows; r++) {
    lines.push(
      `(local.set $cp (i32.add (i32.add (local.get $c) (i32.mul (i32.add (local.get $m) (i32.const ${r})) (local.get $ldc))) (i32.shl (local.get $p) (i32.const 2))))`,
      storeRow(r),
    );
  }
  return lines.map((line) => `        ${line}`).join("\n");
}

function multiplyAdd(accumulator: string, b: string, fma: boolean): string {
  return fma
    ? `(local.set ${accumulator} (f32x4.relaxed_madd (local.get $va) (local.get ${b}) (local.get ${accumulator})))`
    : `(local.set ${accumulator} (f32x4.add (local.get ${accumulator}) (f32x4.mul (local.get $va) (local.get ${b}))))`;
}

/** Copies the panel's `$valid` floats from `from` to `to` (the partial panel's way in and out of `tmp`). */
function copyValid(from: string, to: string, label: string): string {
  const at = (base: string) => `(i32.add (local.get ${base}) (i32.shl (local.get $i) (i32.const 2)))`;
  return `(local.set $i (i32.const 0))
    (block $${label}Done (loop $${label}
      (br_if $${label}Done (i32.ge_u (local.get $i) (local.get $valid)))
      (f32.store ${at(to)} (f32.load ${at(from)}))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $${label})))`;
}

/**
 * Epilogue of one row: scale, accumulate into C, bias, ReLU, store. A full panel reads and writes C
 * directly; the partial last panel goes through `tmp` so nothing beyond column N is touched.
 */
function storeRow(r: number): string {
  const value = (j: 0 | 1, old: string) => {
    let v = `(f32x4.mul (local.get $c${r}_${j}) (local.get $scale))`;
    v = `(if (result v128) (local.get $accumulate) (then (f32x4.add ${v} ${old})) (else ${v}))`;
    v = `(if (result v128) (local.get $bias) (then (f32x4.add ${v} (local.get $bias${j}))) (else ${v}))`;
    return `(if (result v128) (local.get $relu) (then (f32x4.max ${v} (v128.const i32x4 0 0 0 0))) (else ${v}))`;
  };
  return `(if (i32.eq (local.get $valid) (i32.const 8))
  (then
    (v128.store (local.get $cp) ${value(0, "(v128.load (local.get $cp))")})
    (v128.store offset=16 (local.get $cp) ${value(1, "(v128.load offset=16 (local.get $cp))")}))
  (else
    ${copyValid("$cp", "$tmp", "in")}
    (v128.store (local.get $tmp) ${value(0, "(v128.load (local.get $tmp))")})
    (v128.store offset=16 (local.get $tmp) ${value(1, "(v128.load offset=16 (local.get $tmp))")})
    ${copyValid("$tmp", "$cp", "out")}))`;
}
