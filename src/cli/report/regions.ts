/**
 * Decision regions of a classifier on two input features, as SVG: the plane shaded by the
 * predicted class (stronger where the model is surer), the test points on top, mistakes ringed.
 */
import { PALETTE, escapeXml, niceTicks } from './svg.js';

/** Colours of classes 0, 1, 2, … (blue and orange as in the learning curves first). */
export const CLASS_COLORS = ['#2f6fdf', '#f08a24', '#1fa37a', '#d64550', '#8a5cd6', '#b8950a', '#1796b0', '#c2549a', '#6b7a8f', '#7a9a2a'];

/** A colour mixed with white: alpha 0 is white, 1 the colour itself. */
function tint(hex: string, alpha: number): string {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${c.map((v) => Math.round(255 - alpha * (255 - v))).join(',')})`;
}

export interface Regions {
  xRange: [number, number];
  yRange: [number, number];
  cols: number;
  rows: number;
  /** Predicted class of each grid cell, row 0 at the top (largest y). */
  classes: Int32Array;
  /** The predicted class's probability per cell (1 when the outputs are not probabilities). */
  confidence: Float32Array;
  points: { x: number; y: number; label: number; predicted: number }[];
  classNames: string[];
  xLabel: string;
  yLabel: string;
}

/** The regions chart; runs of equal cells in a row become one rectangle to keep the file small. */
export function regionsSvg(r: Regions, size = 420): string {
  const m = { left: 52, right: 16, top: 40, bottom: 60 };
  const w = size;
  const h = size;
  const plotW = w - m.left - m.right;
  const plotH = h - m.top - m.bottom;
  const cw = plotW / r.cols;
  const ch = plotH / r.rows;
  const px = (v: number): number => m.left + ((v - r.xRange[0]) / (r.xRange[1] - r.xRange[0])) * plotW;
  const py = (v: number): number => m.top + (1 - (v - r.yRange[0]) / (r.yRange[1] - r.yRange[0])) * plotH;
  const color = (k: number): string => CLASS_COLORS[k % CLASS_COLORS.length];
  const level = (p: number): number => Math.min(3, Math.floor(Math.max(0, p - 0.5) * 8)); // 4 shades
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="Inter, ui-sans-serif, system-ui, sans-serif">`);
  o.push(`<rect x="0.5" y="0.5" width="${w - 1}" height="${h - 1}" rx="12" fill="#fff" stroke="#e3e6ee"/>`);
  o.push(`<text x="${m.left - 30}" y="26" font-size="15" font-weight="650" fill="${PALETTE.text}">Decision regions</text>`);
  o.push(`<clipPath id="plot"><rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" rx="4"/></clipPath><g clip-path="url(#plot)">`);
  for (let i = 0; i < r.rows; i++) {
    let j = 0;
    while (j < r.cols) {
      const k = r.classes[i * r.cols + j];
      const l = level(r.confidence[i * r.cols + j]);
      let e = j + 1;
      while (e < r.cols && r.classes[i * r.cols + e] === k && level(r.confidence[i * r.cols + e]) === l) e++;
      // Opaque tints (the colour mixed with white), so overlapping edges leave no seams.
      o.push(`<rect x="${(m.left + j * cw).toFixed(1)}" y="${(m.top + i * ch).toFixed(1)}" width="${((e - j) * cw + 0.6).toFixed(1)}" height="${(ch + 0.6).toFixed(1)}" fill="${tint(color(k), 0.14 + 0.1 * l)}"/>`);
      j = e;
    }
  }
  o.push('</g>');
  for (const t of niceTicks(r.xRange[0], r.xRange[1], 5)) {
    o.push(`<text x="${px(t).toFixed(1)}" y="${m.top + plotH + 17}" font-size="11" text-anchor="middle" fill="${PALETTE.muted}">${Number(t.toPrecision(4))}</text>`);
  }
  for (const t of niceTicks(r.yRange[0], r.yRange[1], 5)) {
    o.push(`<text x="${m.left - 8}" y="${(py(t) + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="${PALETTE.muted}">${Number(t.toPrecision(4))}</text>`);
  }
  o.push(`<text x="${m.left + plotW / 2}" y="${h - 26}" font-size="12" text-anchor="middle" fill="${PALETTE.muted}">${escapeXml(r.xLabel)}</text>`);
  o.push(`<text transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="${PALETTE.muted}">${escapeXml(r.yLabel)}</text>`);
  for (const p of r.points) {
    const wrong = p.label !== p.predicted;
    o.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="${wrong ? 4.2 : 3.4}" fill="${color(p.label)}" stroke="${wrong ? '#1d2230' : '#fff'}" stroke-width="${wrong ? 1.8 : 1}"/>`);
  }
  // Legend: classes, and what a ring means.
  let lx = w - m.right;
  const items = [...r.classNames.map((n, k) => ({ text: n, k })).reverse()];
  for (const it of items) {
    const tw = 16 + it.text.length * 6.4;
    lx -= tw + 10;
    o.push(`<circle cx="${lx + 5}" cy="22" r="4.5" fill="${color(it.k)}"/><text x="${lx + 13}" y="26" font-size="11.5" fill="${PALETTE.muted}">${escapeXml(it.text)}</text>`);
  }
  const wrongCount = r.points.filter((p) => p.label !== p.predicted).length;
  o.push(`<text x="${m.left + plotW}" y="${h - 9}" font-size="10.5" text-anchor="end" fill="${PALETTE.muted}">${r.points.length} test points${wrongCount ? ` · ${wrongCount} misclassified (ringed)` : ', all right'}</text>`);
  o.push('</svg>');
  return o.join('\n');
}
