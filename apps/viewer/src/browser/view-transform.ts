/** World [xmin, ymin, xmax, ymax]. */
export type Bounds = readonly [number, number, number, number];

/**
 * World ↔ screen mapping of one pane (CSS pixels): a uniform scale around a centre, with the y
 * axis up for road networks and particle worlds and down for cell grids. `version` changes on
 * every change, so cached layers know when to redraw.
 */
export class ViewTransform {
  scale = 1;
  centerX = 0;
  centerY = 0;
  width = 1;
  height = 1;
  version = 0;

  constructor(readonly yUp: boolean) {}

  resize(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    this.width = width;
    this.height = height;
    this.version++;
  }

  fit(bounds: Bounds, marginFraction = 0.04): void {
    const [xmin, ymin, xmax, ymax] = bounds;
    const spanX = Math.max(xmax - xmin, 1e-9);
    const spanY = Math.max(ymax - ymin, 1e-9);
    this.scale = Math.min(this.width / spanX, this.height / spanY) * (1 - 2 * marginFraction);
    this.centerX = (xmin + xmax) / 2;
    this.centerY = (ymin + ymax) / 2;
    this.version++;
  }

  screenX(x: number): number {
    return (x - this.centerX) * this.scale + this.width / 2;
  }

  screenY(y: number): number {
    const dy = (y - this.centerY) * this.scale;
    return this.yUp ? this.height / 2 - dy : this.height / 2 + dy;
  }

  worldX(screenX: number): number {
    return (screenX - this.width / 2) / this.scale + this.centerX;
  }

  worldY(screenY: number): number {
    const dy = (screenY - this.height / 2) / this.scale;
    return this.yUp ? this.centerY - dy : this.centerY + dy;
  }

  /** Zooms by `factor` keeping the world point under (screenX, screenY) where it is. */
  zoomAt(screenX: number, screenY: number, factor: number): void {
    const x = this.worldX(screenX);
    const y = this.worldY(screenY);
    this.scale = Math.min(Math.max(this.scale * factor, 1e-6), 1e6);
    this.centerX += x - this.worldX(screenX);
    this.centerY += y - this.worldY(screenY);
    this.version++;
  }

  panBy(screenDx: number, screenDy: number): void {
    this.centerX -= screenDx / this.scale;
    this.centerY += (this.yUp ? screenDy : -screenDy) / this.scale;
    this.version++;
  }

  /** Sets `context` to draw in world units (line widths and radii in world units too). */
  applyWorld(context: CanvasRenderingContext2D, pixelRatio: number): void {
    const s = this.scale * pixelRatio;
    const sy = this.yUp ? -s : s;
    context.setTransform(
      s,
      0,
      0,
      sy,
      pixelRatio * this.width * 0.5 - this.centerX * s,
      pixelRatio * this.height * 0.5 - this.centerY * sy,
    );
  }

  /** Sets `context` to draw in CSS pixels. */
  applyScreen(context: CanvasRenderingContext2D, pixelRatio: number): void {
    context.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
  }
}
