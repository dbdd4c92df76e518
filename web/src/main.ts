/**
 * The playground page: wires the controls to the app state and draws the plot, the network
 * and the loss curves. Training runs on this thread in slices of a few milliseconds per
 * animation frame, so the page stays responsive and every frame shows the current weights.
 */
import * as nb from 'nabla';
import { App } from './app.js';
import { enableCsvDrop, renderData, renderHyper, renderLayerControls, renderTask, renderTools } from './controls.js';
import { CURVES, type Data } from './datasets.js';
import { describeHover } from './describe.js';
import { byId, fmt } from './dom.js';
import { probe, type Probe } from './network.js';
import { drawLossChart } from './render/chart.js';
import { NetworkView, type Hover } from './render/network-view.js';
import { gridInputs, Plot } from './render/plot.js';
import { fromQuery } from './settings.js';
import { traceHtml } from './trace.js';
import { divergenceFix } from './trainer.js';

/** Milliseconds of training per animation frame. */
const SLICE_MS = 12;
/** How often the trace of the selected point is recomputed while training. */
const TRACE_EVERY_MS = 250;

const app = new App(fromQuery(location.search));
const plot = new Plot(byId<HTMLCanvasElement>('plot'));
let hovered: Hover | null = null;
let trace: ReturnType<App['traceSelected']> = { trace: null, error: null };
const netView = new NetworkView(byId('network'), {
  describe: (hover) => describeHover(app, hover, trace.trace),
  onHover: (hover) => { hovered = hover; dirty = true; },
});

let dirty = true;
let traceDirty = true;
let lastTraceAt = 0;
let gridKey = '';
let gridX: nb.Tensor | null = null;

/** The plot's grid as network inputs, rebuilt only when the domain or the task changes. */
function gridTensor(data: Data): nb.Tensor {
  const key = `${data.task}|${data.domain.x}|${data.domain.y}`;
  if (key !== gridKey || !gridX) {
    const values = gridInputs(data.task, data.domain);
    const width = data.task === 'regress' ? 1 : 2;
    gridX = nb.tensor(values, { shape: [values.length / width, width] });
    gridKey = key;
  }
  return gridX;
}

function sizes(): { netWidth: number; netHeight: number; plot: number } {
  const netWidth = Math.max(360, byId('network').clientWidth);
  const plotSize = Math.max(300, byId('plot').parentElement!.clientWidth);
  return { netWidth, netHeight: 380, plot: plotSize };
}

/** Redraws the controls after a change of settings or state. */
function renderControls(): void {
  renderTask(app);
  renderHyper(app);
  renderData(app);
  renderTools(app);
  renderLayerControls(app, sizes().netWidth);
  document.body.classList.toggle('playing', app.playing);
  byId('play').setAttribute('aria-label', app.playing ? 'Pause' : 'Play');
  const regress = app.settings.task === 'regress';
  byId('discretize-label').hidden = regress;
  byId('caption').innerHTML = regress
    ? 'The thick curve is the fit <i>ŷ</i>(<i>x</i>) = Σ<sub><i>j</i></sub> <i>w<sub>j</sub> a<sub>j</sub></i>(<i>x</i>) + <i>b</i>: the sum of the thin curves, one per unit of the last hidden layer (its activation scaled by its outgoing weight), and the dashed bias <i>b</i>. With ReLU units each thin curve is a translated and scaled ReLU. Hover a neuron to pick out its curve.'
    : 'Colours show the class the network predicts at each place, paler where it is unsure. Points with a white rim are training data; a dark rim marks test data.';
  dirty = true;
  traceDirty = true;
}

function renderTrace(): void {
  const section = byId('trace');
  trace = app.traceSelected();
  lastTraceAt = performance.now();
  traceDirty = false;
  if (app.selected === null) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const p = app.data.points[app.selected];
  const regress = app.data.task === 'regress';
  const cls = app.classNames[p.label] ?? `class ${p.label}`;
  const title = regress
    ? `<i>x</i> = ${fmt(p.x)}, target <i>y</i> = ${fmt(p.label)}`
    : `<i>x</i> = (${fmt(p.x)}, ${fmt(p.y)}), ${cls}`;
  const where = `${p.test ? 'a test point' : 'a training point'}; weights after ${app.trainer.steps} steps`;
  const body = byId('trace-body');
  if (trace.trace) body.innerHTML = traceHtml(trace.trace, { title: `${title} <span class="muted">(${where})</span>` });
  else body.innerHTML = `<h3>${title}</h3><p class="trace-error">${trace.error ?? ''}</p>`;
}

function draw(): void {
  const { data, net, trainer } = app;
  const size = sizes();
  let grid: Probe | null = null;
  try {
    grid = probe(net, gridTensor(data));
  } catch (e) {
    console.warn('playground: forward pass failed', e);
  }
  const last = net.linears[net.linears.length - 1];
  plot.draw({
    data, grid,
    outWeight: data.task === 'regress' ? (last.weight.dataSync() as Float32Array) : null,
    outBias: last.bias ? last.bias.dataSync()[0] : 0,
    showTest: byId<HTMLInputElement>('show-test').checked,
    discretize: byId<HTMLInputElement>('discretize').checked,
    selected: app.selected,
    highlight: hovered?.node && hovered.node.l === net.sizes.length - 2 ? hovered.node.j : null,
    target: data.task === 'regress' && app.settings.dataset !== 'custom' ? CURVES[app.settings.dataset] ?? null : null,
  }, size.plot, size.plot);
  netView.layout(net, size.netWidth, size.netHeight);
  netView.updateEdges(net);
  if (grid) netView.updateNodes(net, grid, data.task);
  drawLossChart(byId<HTMLCanvasElement>('chart'), trainer.history, size.plot, 76, byId<HTMLInputElement>('log-scale').checked);
  const losses = trainer.losses();
  for (const [id, value] of [['test-loss', losses.test], ['train-loss', losses.train]] as const) {
    const out = byId(id);
    out.textContent = fmt(value, 3);
    out.dataset.value = String(value);
  }
  const epoch = byId('epoch');
  epoch.textContent = String(trainer.epoch).padStart(6, '0').replace(/(\d{3})(\d{3})$/, '$1,$2');
  epoch.dataset.value = String(trainer.epoch);
  epoch.dataset.steps = String(trainer.steps);
  byId('steps').textContent = `· step ${trainer.steps.toLocaleString('en')}`;
  const banner = byId('banner');
  banner.hidden = !trainer.diverged;
  if (trainer.diverged && !banner.dataset.shown) {
    const fix = divergenceFix(app.settings);
    banner.replaceChildren(document.createTextNode(`⚠ ${trainer.diverged}`), document.createElement('br'));
    const button = document.createElement('button');
    button.textContent = fix.action;
    button.onclick = () => app.set(fix.patch);
    banner.append(button);
  }
  banner.dataset.shown = trainer.diverged ? '1' : '';
  const empty = data.points.filter((p) => !p.test).length === 0;
  byId('plot-note').textContent = empty ? 'No training points yet: choose “add” below and click the plot.' : '';
  if (app.selected !== null && (traceDirty || performance.now() - lastTraceAt > TRACE_EVERY_MS)) renderTrace();
  netView.refreshTooltip();
}

/** Milliseconds spent per frame, averaged (for the console: playground.stats). */
const stats = { trainMs: 0, drawMs: 0, frames: 0 };

function frame(): void {
  const t0 = performance.now();
  if (app.playing) {
    app.trainer.run(SLICE_MS);
    if (app.trainer.diverged) app.pause();
    dirty = true;
  }
  const t1 = performance.now();
  if (dirty) {
    dirty = false;
    draw();
  }
  const t2 = performance.now();
  stats.frames++;
  stats.trainMs += 0.1 * (t1 - t0 - stats.trainMs);
  stats.drawMs += 0.1 * (t2 - t1 - stats.drawMs);
  requestAnimationFrame(frame);
}

// ---- wiring ----
app.subscribe(() => {
  renderControls();
  if (app.selected === null) renderTrace();
});
byId('play').addEventListener('click', () => app.toggle());
byId('step').addEventListener('click', () => app.stepOnce());
byId('reset').addEventListener('click', () => app.reset());
byId('add-layer').addEventListener('click', () => {
  const s = app.settings;
  app.set({ layers: [...s.layers, s.layers.at(-1) ?? 4], activations: [...s.activations, s.activations.at(-1) ?? 'tanh'] });
});
byId('remove-layer').addEventListener('click', () => {
  const s = app.settings;
  app.set({ layers: s.layers.slice(0, -1), activations: s.activations.slice(0, -1) });
});
for (const id of ['show-test', 'discretize', 'log-scale']) byId(id).addEventListener('change', () => { dirty = true; });
byId('close-trace').addEventListener('click', () => app.select(null));
byId('share').addEventListener('click', () => {
  const button = byId('share');
  navigator.clipboard?.writeText(location.href).then(() => { button.textContent = 'Link copied'; }, () => { button.textContent = 'Copy the address bar'; });
  setTimeout(() => { button.textContent = 'Copy link'; }, 1600);
});
byId('export').addEventListener('click', () => {
  const bytes = app.modelBytes();
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `playground-${app.settings.dataset}.nabla`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});
byId('plot').addEventListener('click', (event) => {
  const e = event as MouseEvent;
  if (app.tool === 'trace') {
    app.select(plot.nearest(e, app.data, 12, byId<HTMLInputElement>('show-test').checked));
  } else if (app.tool === 'remove' || e.shiftKey) {
    const i = plot.nearest(e, app.data, 12);
    if (i !== null) app.removePoint(i);
  } else {
    const at = plot.toData(e);
    if (at) app.addPoint(at[0], at[1]);
  }
});
document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  if (e.code === 'Space' && !['INPUT', 'SELECT', 'BUTTON', 'TEXTAREA'].includes(target.tagName)) {
    e.preventDefault();
    app.toggle();
  }
});
window.addEventListener('resize', () => { renderLayerControls(app, sizes().netWidth); dirty = true; });
enableCsvDrop(app);

// For the browser console (and the end-to-end tests): the state, the library and the plot's geometry.
Object.assign(window, { playground: { app, nb, plot, stats } });

renderControls();
renderTrace();
requestAnimationFrame(frame);
