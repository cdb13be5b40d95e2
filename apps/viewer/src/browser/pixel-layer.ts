/**
 * A transparent, canvas-sized layer written pixel by pixel, then composited in one drawImage.
 * For many tiny marks (a 35 × 35 city's vehicles seen whole are 1–2 px each) this replaces tens
 * of thousands of anti-aliased path fills, which dominate a frame in software raster.
 */
export class PixelLayer {
  private canvas: OffscreenCanvas | null = null;
  private context: OffscreenCanvasRenderingContext2D | null = null;
  private image: ImageData | null = null;
  private pixels = new Uint32Array(0);
  width = 0;
  height = 0;

  /** Clears the layer, sized to `width` × `height` device pixels (reallocated only on resize). */
  begin(width: number, height: number): void {
    if (width !== this.width || height !== this.height || this.canvas === null) {
      this.width = width;
      this.height = height;
      this.canvas = new OffscreenCanvas(width, height);
      this.context = this.canvas.getContext("2d") as OffscreenCanvasRenderingContext2D;
      this.image = this.context.createImageData(width, height);
      this.pixels = new Uint32Array(this.image.data.buffer);
    } else {
      this.pixels.fill(0);
    }
  }

  /** A `size` × `size` square of one colour (`rgba32`, see `packColour`) centred on (x, y), clipped. */
  square(x: number, y: number, size: number, rgba32: number): void {
    const left = Math.max(0, Math.round(x - size / 2));
    const top = Math.max(0, Math.round(y - size / 2));
    const right = Math.min(this.width, left + size);
    const bottom = Math.min(this.height, top + size);
    for (let row = top; row < bottom; row++)
      this.pixels.fill(rgba32, row * this.width + left, row * this.width + right);
  }

  /** Composites the layer onto `target` at device pixel (0, 0). */
  end(target: CanvasRenderingContext2D): void {
    if (this.context === null || this.image === null || this.canvas === null) return;
    this.context.putImageData(this.image, 0, 0);
    target.save();
    target.setTransform(1, 0, 0, 1, 0, 0);
    target.drawImage(this.canvas, 0, 0);
    target.restore();
  }
}

/** "#rrggbb" as the Uint32 an ImageData's little-endian RGBA bytes read as, fully opaque. */
export function packColour(hex: string): number {
  const r = Number.parseInt(hex.slice(1, 3), 16);
  const g = Number.parseInt(hex.slice(3, 5), 16);
  const b = Number.parseInt(hex.slice(5, 7), 16);
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
}
