/** The train and test loss curves, per epoch. */
import { fitCanvas } from '../dom.js';
import type { LossPoint } from '../trainer.js';

export const TRAIN_COLOR = '#9aa3b5';
export const TEST_COLOR = '#1d2433';

export function drawLossChart(canvas: HTMLCanvasElement, history: readonly LossPoint[], width: number, height: number, logScale: boolean): void {
  const ctx = fitCanvas(canvas, width, height);
  ctx.clearRect(0, 0, width, height);
  const pad = { left: 4, right: 4, top: 6, bottom: 6 };
  const finite = history.flatMap((p) => [p.train, p.test]).filter((v) => Number.isFinite(v) && (!logScale || v > 0));
  if (history.length < 2 || finite.length === 0) {
    ctx.fillStyle = '#99a';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText('The loss curves appear once training starts', width / 2, height / 2);
    return;
  }
  const f = (v: number): number => (logScale ? Math.log10(v) : v);
  let lo = logScale ? Math.min(...finite.map(f)) : 0;
  let hi = Math.max(...finite.map(f));
  if (hi - lo < 1e-9) { hi += 0.5; lo -= 0.5; }
  const first = history[0].epoch;
  const last = Math.max(history[history.length - 1].epoch, first + 1);
  const sx = (e: number): number => pad.left + ((e - first) / (last - first)) * (width - pad.left - pad.right);
  const sy = (v: number): number => pad.top + (1 - (f(v) - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  if (!logScale || lo <= -1) {
    // A faint line at loss 0.1 (log scale: 10^k gridlines) helps read the curves.
    ctx.strokeStyle = 'rgba(0,0,0,0.07)';
    ctx.lineWidth = 1;
    const levels = logScale ? Array.from({ length: Math.floor(hi) - Math.ceil(lo) + 1 }, (_, i) => 10 ** (Math.ceil(lo) + i)) : [0.1];
    for (const v of levels) {
      if (f(v) < lo || f(v) > hi) continue;
      ctx.beginPath(); ctx.moveTo(pad.left, sy(v)); ctx.lineTo(width - pad.right, sy(v)); ctx.stroke();
    }
  }
  const line = (key: 'train' | 'test', color: string, lineWidth: number): void => {
    ctx.strokeStyle = color;
    ctx.lineWidth = lineWidth;
    ctx.beginPath();
    let started = false;
    for (const p of history) {
      const v = p[key];
      if (!Number.isFinite(v) || (logScale && v <= 0)) { started = false; continue; }
      if (!started) ctx.moveTo(sx(p.epoch), sy(v)); else ctx.lineTo(sx(p.epoch), sy(v));
      started = true;
    }
    ctx.stroke();
  };
  line('train', TRAIN_COLOR, 1.6);
  line('test', TEST_COLOR, 1.6);
}
