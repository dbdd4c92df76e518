/**
 * The network drawn as neurons and weighted edges: an edge's colour is its weight's sign
 * (blue positive, orange negative) and its thickness |w|; each neuron shows a small heat map
 * of what it responds to over the plot (a curve in 1-D mode). Hovering a neuron or an edge
 * asks the page for a description (value, weight, gradient) and shows it in a tooltip.
 */
import { h, svg } from '../dom.js';
import type { Network, Probe } from '../network.js';
import { CLASS_COLORS, diverging, putDiverging, unitColor } from './colors.js';
import { CURVE_SAMPLES, GRID } from './plot.js';

export interface Hover {
  /** A neuron: layer l (0 = inputs) and index j. */
  node?: { l: number; j: number };
  /** An edge into neuron k of layer l from neuron j of layer l − 1. */
  edge?: { l: number; k: number; j: number };
}

export interface NetworkViewHooks {
  /** HTML describing the hovered neuron or edge. */
  describe(hover: Hover): string;
  /** Called with the hovered neuron (or null) so other views can emphasise it. */
  onHover(hover: Hover | null): void;
}

interface NodeBox {
  l: number;
  j: number;
  x: number;
  y: number;
  canvas: HTMLCanvasElement;
}

interface EdgeEls {
  l: number;
  k: number;
  j: number;
  path: SVGPathElement;
}

export class NetworkView {
  private nodes: NodeBox[] = [];
  private edges: EdgeEls[] = [];
  private readonly edgeLayer: SVGSVGElement;
  private readonly nodeLayer: HTMLDivElement;
  private readonly tooltip: HTMLDivElement;
  private signature = '';
  private nodeSize = 36;
  private current: Hover | null = null;

  constructor(readonly root: HTMLElement, private readonly hooks: NetworkViewHooks) {
    this.edgeLayer = svg('svg', { class: 'edges' });
    this.nodeLayer = h('div', { class: 'nodes' });
    this.tooltip = h('div', { class: 'tooltip', role: 'tooltip' });
    root.append(this.edgeLayer, this.nodeLayer, this.tooltip);
  }

  /** Column centres for `layers` columns across `width`. */
  static columns(layers: number, width: number): number[] {
    const margin = 34;
    if (layers === 1) return [width / 2];
    return Array.from({ length: layers }, (_, i) => margin + ((width - 2 * margin) * i) / (layers - 1));
  }

  /** Rebuilds the elements when the architecture changed; places everything for `width`. */
  layout(net: Network, width: number, height: number): void {
    const sig = `${net.sizes.join(',')}|${width}|${height}`;
    if (sig === this.signature) return;
    this.signature = sig;
    const widest = Math.max(...net.sizes);
    this.nodeSize = Math.max(18, Math.min(38, Math.floor((height - 8) / widest) - 10));
    const gap = Math.min(18, Math.floor((height - widest * this.nodeSize) / Math.max(1, widest)));
    const xs = NetworkView.columns(net.sizes.length, width);
    this.root.style.height = `${height}px`;
    this.edgeLayer.setAttribute('width', String(width));
    this.edgeLayer.setAttribute('height', String(height));
    this.edgeLayer.replaceChildren();
    this.nodeLayer.replaceChildren();
    this.nodes = [];
    this.edges = [];
    const s = this.nodeSize;
    const ys = (n: number): number[] => {
      const total = n * s + (n - 1) * gap;
      const top = (height - total) / 2;
      return Array.from({ length: n }, (_, j) => top + j * (s + gap) + s / 2);
    };
    const centres = net.sizes.map((n) => ys(n));
    for (let l = 1; l < net.sizes.length; l++) {
      for (let k = 0; k < net.sizes[l]; k++) {
        for (let j = 0; j < net.sizes[l - 1]; j++) {
          const x0 = xs[l - 1] + s / 2;
          const y0 = centres[l - 1][j];
          const x1 = xs[l] - s / 2;
          const y1 = centres[l][k];
          const mid = (x0 + x1) / 2;
          const d = `M${x0},${y0} C${mid},${y0} ${mid},${y1} ${x1},${y1}`;
          const path = svg('path', { d, class: 'edge', 'data-l': l, 'data-k': k, 'data-j': j });
          const hit = svg('path', { d, class: 'edge-hit' });
          hit.addEventListener('mouseenter', (e) => this.hover({ edge: { l, k, j } }, e));
          hit.addEventListener('mousemove', (e) => this.place(e));
          hit.addEventListener('mouseleave', () => this.hover(null));
          this.edgeLayer.append(path, hit);
          this.edges.push({ l, k, j, path });
        }
      }
    }
    net.sizes.forEach((n, l) => {
      for (let j = 0; j < n; j++) {
        const canvas = h('canvas', { width: GRID, height: GRID });
        const x = xs[l];
        const y = centres[l][j];
        const kind = l === 0 ? 'input' : l === net.sizes.length - 1 ? 'output' : 'hidden';
        const node = h('div', {
          class: `node ${kind}`, 'data-l': l, 'data-j': j,
          style: `left:${x - s / 2}px;top:${y - s / 2}px;width:${s}px;height:${s}px`,
        }, canvas);
        node.addEventListener('mouseenter', (e) => this.hover({ node: { l, j } }, e));
        node.addEventListener('mousemove', (e) => this.place(e));
        node.addEventListener('mouseleave', () => this.hover(null));
        this.nodeLayer.append(node);
        this.nodes.push({ l, j, x, y, canvas });
      }
    });
  }

  /** Colours and widths of the edges from the current weights. */
  updateEdges(net: Network): void {
    const weights = net.linears.map((lin) => lin.weight.dataSync());
    let max = 1e-9;
    for (const w of weights) for (const v of w) max = Math.max(max, Math.abs(v));
    const scale = Math.max(1, max);
    for (const e of this.edges) {
      const w = weights[e.l - 1][e.k * net.sizes[e.l - 1] + e.j];
      const c = diverging(Math.sign(w) * Math.min(1, 0.35 + Math.abs(w) / scale));
      e.path.setAttribute('stroke', `rgb(${c[0] | 0},${c[1] | 0},${c[2] | 0})`);
      e.path.setAttribute('stroke-width', (0.6 + 5 * Math.min(1, Math.abs(w) / scale)).toFixed(2));
    }
  }

  /** Each neuron's thumbnail from a forward pass over the plot's grid (or curve samples). */
  updateNodes(net: Network, grid: Probe, task: 'classify' | 'regress'): void {
    const last = net.sizes.length - 1;
    for (const node of this.nodes) {
      const width = net.sizes[node.l];
      const values = grid.layers[node.l];
      const ctx = node.canvas.getContext('2d')!;
      if (task === 'regress') {
        const color = node.l === last - 1 ? unitColor(node.j, width) : node.l === last ? '#1d2433' : '#5b6478';
        drawSpark(ctx, values, width, node.j, color);
      } else if (node.l === last) {
        drawClassMap(ctx, grid.output, net.sizes[last] === 1 ? 2 : width, net.sizes[last] === 1 ? 1 : node.j);
      } else {
        drawSignedMap(ctx, values, width, node.j);
      }
    }
  }

  private hover(target: Hover | null, event?: MouseEvent): void {
    this.current = target;
    this.root.querySelectorAll('.hovered').forEach((el) => el.classList.remove('hovered'));
    if (!target) {
      this.tooltip.classList.remove('visible');
      this.hooks.onHover(null);
      return;
    }
    if (target.node) this.root.querySelector(`.node[data-l="${target.node.l}"][data-j="${target.node.j}"]`)?.classList.add('hovered');
    if (target.edge) {
      const { l, k, j } = target.edge;
      this.root.querySelector(`.edge[data-l="${l}"][data-k="${k}"][data-j="${j}"]`)?.classList.add('hovered');
    }
    this.refreshTooltip();
    this.tooltip.classList.add('visible');
    if (event) this.place(event);
    this.hooks.onHover(target);
  }

  /** Re-asks the page for the hovered item's description (values change while training). */
  refreshTooltip(): void {
    if (this.current) this.tooltip.innerHTML = this.hooks.describe(this.current);
  }

  private place(event: MouseEvent): void {
    const box = this.root.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const flip = x > box.width * 0.6;
    this.tooltip.style.left = `${flip ? x - 14 - this.tooltip.offsetWidth : x + 14}px`;
    this.tooltip.style.top = `${Math.max(0, y + 12)}px`;
  }
}

/** Values of neuron j (column j of [n, width]) on the grid, orange negative / blue positive. */
function drawSignedMap(ctx: CanvasRenderingContext2D, values: Float32Array, width: number, j: number): void {
  const n = GRID * GRID;
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(values[i * width + j]));
  const image = ctx.createImageData(GRID, GRID);
  const scale = max > 0 ? 1 / max : 0;
  for (let i = 0; i < n; i++) putDiverging(image.data, i, values[i * width + j] * scale);
  ctx.putImageData(image, 0, 0);
}

/** Probability of class k on the grid, white → the class's colour. */
function drawClassMap(ctx: CanvasRenderingContext2D, output: Float32Array, classes: number, k: number): void {
  const image = ctx.createImageData(GRID, GRID);
  const c = CLASS_COLORS[k % CLASS_COLORS.length];
  const px = image.data;
  for (let i = 0; i < GRID * GRID; i++) {
    const p = Math.max(0, Math.min(1, output[i * classes + k]));
    px[4 * i] = 255 + (c[0] - 255) * p;
    px[4 * i + 1] = 255 + (c[1] - 255) * p;
    px[4 * i + 2] = 255 + (c[2] - 255) * p;
    px[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** Neuron j's response along x as a small curve, scaled to fill the box. */
function drawSpark(ctx: CanvasRenderingContext2D, values: Float32Array, width: number, j: number, color: string): void {
  const s = GRID;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, s, s);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < CURVE_SAMPLES; i++) {
    const v = values[i * width + j];
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi - lo < 1e-6) hi = lo + 1;
  const y = (v: number): number => s - 5 - ((v - lo) / (hi - lo)) * (s - 10);
  ctx.strokeStyle = 'rgba(0,0,0,0.15)';
  ctx.lineWidth = 1;
  ctx.beginPath(); ctx.moveTo(0, y(0)); ctx.lineTo(s, y(0)); ctx.stroke();
  ctx.strokeStyle = color;
  ctx.lineWidth = 3;
  ctx.beginPath();
  for (let i = 0; i < CURVE_SAMPLES; i++) {
    const px = (i / (CURVE_SAMPLES - 1)) * s;
    const py = y(values[i * width + j]);
    if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
  }
  ctx.stroke();
}
