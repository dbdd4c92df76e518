/**
 * The output plot: for 2-D classification the points over the network's decision regions
 * (a heat map, one colour per class); for 1-D regression the points, the fitted curve and
 * each hidden unit's contribution w_j·a_j(x), which add up (with the bias) to the fit.
 */
import type { Data, Domain } from '../datasets.js';
import { fitCanvas } from '../dom.js';
import type { Probe } from '../network.js';
import { classBlend, CLASS_COLORS, css, unitColor } from './colors.js';

/** Heat-map resolution (cells per side) of the 2-D plot and the neuron thumbnails. */
export const GRID = 48;
/** Samples of x across the 1-D plot. */
export const CURVE_SAMPLES = 160;

/** The grid's points in the network's input space: [GRID², 2] (2-D) or [CURVE_SAMPLES, 1] (1-D). */
export function gridInputs(task: Data['task'], domain: Domain): Float32Array {
  const [x0, x1] = domain.x;
  if (task === 'regress') return Float32Array.from({ length: CURVE_SAMPLES }, (_, i) => x0 + ((x1 - x0) * i) / (CURVE_SAMPLES - 1));
  const [y0, y1] = domain.y;
  const out = new Float32Array(GRID * GRID * 2);
  for (let row = 0; row < GRID; row++) {
    for (let col = 0; col < GRID; col++) {
      const i = row * GRID + col;
      out[2 * i] = x0 + ((col + 0.5) / GRID) * (x1 - x0);
      out[2 * i + 1] = y1 - ((row + 0.5) / GRID) * (y1 - y0);
    }
  }
  return out;
}

export interface PlotState {
  data: Data;
  /** The network over gridInputs(), or null before the first forward pass. */
  grid: Probe | null;
  /** Output-layer weights and bias (regression contributions). */
  outWeight: Float32Array | null;
  outBias: number;
  showTest: boolean;
  discretize: boolean;
  /** Index of the traced point. */
  selected: number | null;
  /** Hidden unit hovered in the network view (regression: its curve is emphasised). */
  highlight: number | null;
  /** The curve the generated points follow (regression), drawn faintly. */
  target: ((x: number) => number) | null;
}

const MARGIN = { left: 30, right: 10, top: 10, bottom: 26 };

export class Plot {
  private readonly heat = document.createElement('canvas');
  private width = 0;
  private height = 0;
  private domain: Domain = { x: [-1, 1], y: [-1, 1] };

  constructor(readonly canvas: HTMLCanvasElement) {
    this.heat.width = GRID;
    this.heat.height = GRID;
  }

  private get inner(): { x: number; y: number; w: number; h: number } {
    return { x: MARGIN.left, y: MARGIN.top, w: this.width - MARGIN.left - MARGIN.right, h: this.height - MARGIN.top - MARGIN.bottom };
  }

  /** Screen position (CSS pixels in the canvas) of a point in data coordinates. */
  toScreen(x: number, y: number): [number, number] {
    const r = this.inner;
    const { x: [x0, x1], y: [y0, y1] } = this.domain;
    return [r.x + ((x - x0) / (x1 - x0)) * r.w, r.y + ((y1 - y) / (y1 - y0)) * r.h];
  }

  /** Data coordinates of a mouse event, or null outside the plotting area. */
  toData(event: MouseEvent): [number, number] | null {
    const box = this.canvas.getBoundingClientRect();
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    const r = this.inner;
    if (px < r.x || px > r.x + r.w || py < r.y || py > r.y + r.h) return null;
    const { x: [x0, x1], y: [y0, y1] } = this.domain;
    return [x0 + ((px - r.x) / r.w) * (x1 - x0), y1 - ((py - r.y) / r.h) * (y1 - y0)];
  }

  /** Index of the data point drawn nearest the event, within `radius` pixels. */
  nearest(event: MouseEvent, data: Data, radius = 10, includeTest = true): number | null {
    const box = this.canvas.getBoundingClientRect();
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    let best: number | null = null;
    let bestD = radius * radius;
    data.points.forEach((p, i) => {
      if (p.test && !includeTest) return;
      const [sx, sy] = this.toScreen(p.x, data.task === 'regress' ? p.label : p.y);
      const d = (sx - px) ** 2 + (sy - py) ** 2;
      if (d <= bestD) { bestD = d; best = i; }
    });
    return best;
  }

  draw(state: PlotState, width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.domain = state.data.domain;
    const ctx = fitCanvas(this.canvas, width, height);
    ctx.clearRect(0, 0, width, height);
    const r = this.inner;
    ctx.fillStyle = '#fff';
    ctx.fillRect(r.x, r.y, r.w, r.h);
    if (state.data.task === 'classify') this.drawRegions(ctx, state);
    this.drawAxes(ctx);
    if (state.data.task === 'regress') this.drawCurves(ctx, state);
    this.drawPoints(ctx, state);
  }

  private drawRegions(ctx: CanvasRenderingContext2D, state: PlotState): void {
    const { grid, data } = state;
    if (!grid) return;
    const hctx = this.heat.getContext('2d')!;
    const image = hctx.createImageData(GRID, GRID);
    const k = data.classes;
    const onehot = new Float32Array(k);
    for (let i = 0; i < GRID * GRID; i++) {
      let c;
      if (state.discretize) {
        let best = 0;
        for (let j = 1; j < k; j++) if (grid.output[i * k + j] > grid.output[i * k + best]) best = j;
        onehot.fill(0);
        onehot[best] = 1;
        c = classBlend(onehot, 0, k, 0.45);
      } else {
        c = classBlend(grid.output, i * k, k);
      }
      image.data.set([c[0], c[1], c[2], 255], 4 * i);
    }
    hctx.putImageData(image, 0, 0);
    const r = this.inner;
    ctx.imageSmoothingEnabled = !state.discretize;
    ctx.drawImage(this.heat, r.x, r.y, r.w, r.h);
  }

  private drawAxes(ctx: CanvasRenderingContext2D): void {
    const r = this.inner;
    const { x: [x0, x1], y: [y0, y1] } = this.domain;
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#667';
    ctx.strokeStyle = 'rgba(0,0,0,0.08)';
    ctx.lineWidth = 1;
    const ticks = (lo: number, hi: number): number[] => {
      const step = niceStep((hi - lo) / 5);
      const out: number[] = [];
      for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.abs(v) < 1e-9 ? 0 : v);
      return out;
    };
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const v of ticks(x0, x1)) {
      const [sx] = this.toScreen(v, 0);
      ctx.beginPath(); ctx.moveTo(sx, r.y); ctx.lineTo(sx, r.y + r.h); ctx.stroke();
      ctx.fillText(label(v), sx, r.y + r.h + 5);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of ticks(y0, y1)) {
      const [, sy] = this.toScreen(0, v);
      ctx.beginPath(); ctx.moveTo(r.x, sy); ctx.lineTo(r.x + r.w, sy); ctx.stroke();
      ctx.fillText(label(v), r.x - 5, sy);
    }
    ctx.strokeStyle = 'rgba(0,0,0,0.25)';
    ctx.strokeRect(r.x + 0.5, r.y + 0.5, r.w - 1, r.h - 1);
  }

  private drawCurves(ctx: CanvasRenderingContext2D, state: PlotState): void {
    const r = this.inner;
    ctx.save();
    ctx.beginPath();
    ctx.rect(r.x, r.y, r.w, r.h);
    ctx.clip();
    const xs = gridInputs('regress', this.domain);
    const line = (ys: (i: number) => number, color: string, width: number, dash: number[] = []): void => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.setLineDash(dash);
      ctx.beginPath();
      xs.forEach((x, i) => {
        const [sx, sy] = this.toScreen(x, ys(i));
        if (i === 0) ctx.moveTo(sx, sy); else ctx.lineTo(sx, sy);
      });
      ctx.stroke();
      ctx.setLineDash([]);
    };
    if (state.target) line((i) => state.target!(xs[i]), 'rgba(0,0,0,0.18)', 6);
    const { grid, outWeight } = state;
    if (grid && outWeight && grid.layers.length > 2) {
      const hidden = grid.layers[grid.layers.length - 2];
      const n = outWeight.length;
      for (let j = 0; j < n; j++) {
        const strong = state.highlight === null || state.highlight === j;
        ctx.globalAlpha = strong ? 0.9 : 0.15;
        line((i) => outWeight[j] * hidden[i * n + j], unitColor(j, n), state.highlight === j ? 3 : 1.5);
      }
      ctx.globalAlpha = 1;
      line(() => state.outBias, 'rgba(60,60,80,0.6)', 1.2, [5, 4]);
    }
    if (grid) line((i) => grid.output[i], '#1d2433', 3);
    ctx.restore();
  }

  private drawPoints(ctx: CanvasRenderingContext2D, state: PlotState): void {
    const { data } = state;
    const regress = data.task === 'regress';
    data.points.forEach((p, i) => {
      if (p.test && !state.showTest) return;
      const [sx, sy] = this.toScreen(p.x, regress ? p.label : p.y);
      ctx.beginPath();
      ctx.arc(sx, sy, regress ? 3.5 : 4, 0, 2 * Math.PI);
      const color = regress ? '#3b4252' : css(CLASS_COLORS[p.label % CLASS_COLORS.length]);
      ctx.fillStyle = p.test && regress ? '#fff' : color;
      ctx.fill();
      ctx.lineWidth = p.test ? 1.6 : 1;
      ctx.strokeStyle = p.test ? '#1d2433' : regress ? '#fff' : '#fff';
      ctx.stroke();
      if (i === state.selected) {
        ctx.beginPath();
        ctx.arc(sx, sy, 9, 0, 2 * Math.PI);
        ctx.lineWidth = 2.5;
        ctx.strokeStyle = '#1d2433';
        ctx.stroke();
      }
    });
  }
}

function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

function label(v: number): string {
  return Number(v.toPrecision(3)).toString().replace('-', '−');
}
