/**
 * The controls: the task switch, the training settings band, the data column (datasets,
 * sliders), the per-layer controls above the network and the plot's click tools. They
 * are rebuilt from the settings after every change; nothing here runs per frame.
 */
import type { App } from './app.js';
import { CURVES, makeData } from './datasets.js';
import { byId, fitCanvas, h, select } from './dom.js';
import { CLASS_COLORS, css } from './render/colors.js';
import { NetworkView } from './render/network-view.js';
import {
  ACTIVATIONS, CLASSIFY_COSTS, DATASETS_1D, DATASETS_2D, INITS, LAMBDAS, LEARNING_RATES, MAX_CLASSES, MAX_LAYERS,
  MAX_NEURONS, OPTIMIZERS, REGRESS_COSTS, type Settings,
} from './settings.js';

const numbers = (values: readonly number[]): { name: string; label: string }[] => values.map((v) => ({ name: String(v), label: String(v) }));

function field(label: string, control: HTMLElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

/** The task switch in the brand bar. */
export function renderTask(app: App): void {
  const root = byId('task');
  const tab = (task: Settings['task'], label: string): HTMLButtonElement => h('button', {
    role: 'tab', 'data-task': task, 'aria-selected': String(app.settings.task === task), onclick: () => app.set({ task }),
  }, label);
  root.replaceChildren(tab('classify', 'Classify · 2-D'), tab('regress', 'Fit a curve · 1-D'));
}

/** Learning rate, optimizer, activation (all layers), cost, regularisation, λ, dropout, initialisation. */
export function renderHyper(app: App): void {
  const s = app.settings;
  const lrs = LEARNING_RATES.includes(s.lr) ? LEARNING_RATES : [...LEARNING_RATES, s.lr].sort((a, b) => a - b);
  const lambdas = LAMBDAS.includes(s.lambda) ? LAMBDAS : [...LAMBDAS, s.lambda].sort((a, b) => a - b);
  const same = s.activations.every((a) => a === s.activations[0]);
  const actOptions = [...(same ? [] : [{ name: 'mixed', label: 'per layer' }]), ...ACTIVATIONS.map((a) => ({ name: a.name, label: a.label }))];
  // Binary cross-entropy has one sigmoid output: two classes only.
  const binaryOnly = s.task === 'classify' && app.data.classes > 2;
  const costs = (s.task === 'classify' ? CLASSIFY_COSTS : REGRESS_COSTS).map((c) => (binaryOnly && c.name === 'bce' ? { ...c, label: `${c.label}: 2 classes only` } : c));
  const act = select('activation', actOptions, same ? s.activations[0] ?? 'tanh' : 'mixed', (v) => {
    if (v !== 'mixed') app.set({ activations: s.layers.map(() => v) });
  });
  if (s.layers.length === 0) act.disabled = true;
  const costSelect = select('cost', costs, binaryOnly && s.cost === 'bce' ? 'crossEntropy' : s.cost, (v) => app.set({ cost: v }));
  costSelect.querySelector<HTMLOptionElement>('option[value="bce"]')?.toggleAttribute('disabled', binaryOnly);
  const lambda = select('lambda', numbers(lambdas), String(s.lambda), (v) => app.set({ lambda: Number(v) }));
  lambda.disabled = s.regularization === 'none';
  byId('hyper').replaceChildren(
    field('Learning rate', select('lr', numbers(lrs), String(s.lr), (v) => app.set({ lr: Number(v) }))),
    field('Optimizer', select('optimizer', OPTIMIZERS, s.optimizer, (v) => app.set({ optimizer: v as Settings['optimizer'] }))),
    field('Activation', act),
    field('Cost', costSelect),
    field('Regularisation', select('regularization', [
      { name: 'none', label: 'None' }, { name: 'l1', label: 'L1' }, { name: 'l2', label: 'L2' },
    ], s.regularization, (v) => app.set({ regularization: v as Settings['regularization'] }))),
    field('Regularisation rate λ', lambda),
    field('Dropout', select('dropout', numbers([0, 0.1, 0.2, 0.3, 0.5]), String(s.dropout), (v) => app.set({ dropout: Number(v) }))),
    field('Initialisation', select('init', INITS, s.init, (v) => app.set({ init: v }))),
  );
}

/** A slider that shows its value while dragging and applies it on release. */
function slider(id: string, label: string, min: number, max: number, step: number, value: number, show: (v: number) => string, apply: (v: number) => void): HTMLElement {
  const out = h('output', { for: id }, show(value));
  const input = h('input', { id, type: 'range', min, max, step, value });
  input.addEventListener('input', () => { out.textContent = show(Number(input.value)); });
  input.addEventListener('change', () => apply(Number(input.value)));
  return h('div', { class: 'slider' }, h('div', { class: 'top' }, h('label', { for: id }, label), out), input);
}

/** Draws a small picture of a dataset for its button. */
function drawThumb(canvas: HTMLCanvasElement, app: App, dataset: Settings['dataset']): void {
  const size = 62;
  const ctx = fitCanvas(canvas, size, size);
  ctx.clearRect(0, 0, size, size);
  const s = app.settings;
  if (dataset === 'custom') {
    ctx.fillStyle = '#9aa3b5';
    ctx.font = '26px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText('✎', size / 2, size / 2);
    return;
  }
  const data = makeData({ ...s, dataset, points: Math.min(s.points, 150), noise: Math.min(s.noise, 0.5), custom: [] });
  const { x: [x0, x1], y: [y0, y1] } = data.domain;
  const regress = s.task === 'regress';
  if (regress) {
    const f = CURVES[dataset];
    ctx.strokeStyle = '#1d2433';
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (let i = 0; i <= 40; i++) {
      const x = x0 + ((x1 - x0) * i) / 40;
      const px = (i / 40) * size;
      const py = ((y1 - f(x)) / (y1 - y0)) * size;
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    }
    ctx.stroke();
    return;
  }
  for (const p of data.points) {
    ctx.fillStyle = css(CLASS_COLORS[p.label % CLASS_COLORS.length]);
    ctx.beginPath();
    ctx.arc(((p.x - x0) / (x1 - x0)) * size, ((y1 - p.y) / (y1 - y0)) * size, 1.8, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** Dataset buttons, classes, sliders and the regenerate button. */
export function renderData(app: App): void {
  const s = app.settings;
  const list = s.task === 'classify' ? DATASETS_2D : DATASETS_1D;
  byId('data-question').textContent = s.task === 'classify' ? 'Which dataset do you want to classify?' : 'Which curve should the network fit?';
  byId('datasets').replaceChildren(...list.map((d) => {
    const canvas = h('canvas');
    drawThumb(canvas, app, d.name);
    return h('button', {
      class: 'dataset', 'data-dataset': d.name, 'aria-pressed': String(s.dataset === d.name), title: d.label,
      onclick: () => app.set({ dataset: d.name }),
    }, canvas, d.label);
  }));
  const controls: HTMLElement[] = [];
  if (s.task === 'classify' && (s.dataset === 'spiral' || s.dataset === 'gaussians')) {
    const buttons = Array.from({ length: MAX_CLASSES - 1 }, (_, i) => i + 2).map((k) => h('button', {
      'aria-pressed': String(s.classes === k), onclick: () => app.set({ classes: k }),
    }, String(k)));
    controls.push(h('div', { class: 'inline-choice' }, h('span', {}, 'Classes'), ...buttons));
  }
  const generated = s.dataset !== 'custom';
  controls.push(slider('train-ratio', 'Ratio of training to test data', 10, 90, 10, Math.round(s.trainRatio * 100), (v) => `${v}%`, (v) => app.set({ trainRatio: v / 100 })));
  if (generated) {
    controls.push(slider('noise', 'Noise', 0, 100, 5, Math.round(s.noise * 100), (v) => String(v), (v) => app.set({ noise: v / 100 })));
    controls.push(slider('points', 'Points', 20, 500, 10, s.points, (v) => String(v), (v) => app.set({ points: v })));
  }
  controls.push(slider('batch', 'Batch size', 1, 64, 1, s.batchSize, (v) => String(v), (v) => app.set({ batchSize: v })));
  controls.push(h('button', { class: 'regen', id: 'regenerate', onclick: () => app.reseed(), title: 'New random seed: new points, split and weights' },
    generated ? `Regenerate (seed ${s.seed})` : `New weights (seed ${s.seed})`));
  byId('data-controls').replaceChildren(...controls);
  const status = byId('csv-status');
  status.textContent = app.csvStatus.text;
  status.classList.toggle('error', app.csvStatus.error);
}

/** The +/− and activation controls above each column of the network. */
export function renderLayerControls(app: App, width: number): void {
  const s = app.settings;
  const net = app.net;
  byId('layer-count').textContent = `${s.layers.length} hidden layer${s.layers.length === 1 ? '' : 's'}`;
  byId<HTMLButtonElement>('add-layer').disabled = s.layers.length >= MAX_LAYERS;
  byId<HTMLButtonElement>('remove-layer').disabled = s.layers.length === 0;
  const xs = NetworkView.columns(net.sizes.length, width);
  const root = byId('layer-controls');
  root.style.width = `${width}px`;
  const items: HTMLElement[] = [];
  items.push(h('div', { class: 'layer-control', style: `left:${xs[0]}px` },
    h('span', { class: 'title' }, 'Input'), h('span', {}, s.task === 'regress' ? 'x' : 'x₁, x₂')));
  s.layers.forEach((n, i) => {
    const setNeurons = (count: number): void => app.set({ layers: s.layers.map((v, j) => (j === i ? count : v)) });
    const minus = h('button', { class: 'round tiny', title: 'Remove a neuron', 'aria-label': `Remove a neuron from layer ${i + 1}`, onclick: () => setNeurons(n - 1) }, '−');
    const plus = h('button', { class: 'round tiny', title: 'Add a neuron', 'aria-label': `Add a neuron to layer ${i + 1}`, onclick: () => setNeurons(n + 1) }, '+');
    minus.disabled = n <= 1;
    plus.disabled = n >= MAX_NEURONS;
    const act = select(`activation-${i + 1}`, ACTIVATIONS, s.activations[i], (v) => app.set({ activations: s.activations.map((a, j) => (j === i ? v : a)) }));
    const info = ACTIVATIONS.find((a) => a.name === s.activations[i]);
    act.title = info?.noGradient ? `${info.label}: zero gradient almost everywhere, so the layers before it cannot learn` : 'Activation of this layer';
    items.push(h('div', { class: 'layer-control', style: `left:${xs[i + 1]}px`, 'data-layer': i + 1 },
      h('div', { class: 'pm' }, minus, plus), h('span', {}, `${n} neuron${n === 1 ? '' : 's'}`), act));
  });
  const head = { softmax: 'softmax', sigmoid1: 'sigmoid', sigmoid: 'sigmoid', value: 'linear' }[net.head];
  items.push(h('div', { class: 'layer-control', style: `left:${xs[xs.length - 1]}px` },
    h('span', { class: 'title' }, 'Output'), h('span', {}, head)));
  root.replaceChildren(...items);
}

/** What a click on the plot does: trace a point, add a point (of a class), remove a point. */
export function renderTools(app: App): void {
  const s = app.settings;
  const pressed = (on: boolean): string => String(on);
  const buttons: HTMLElement[] = [h('span', {}, 'Click the plot to')];
  buttons.push(h('button', { 'data-tool': 'trace', 'aria-pressed': pressed(app.tool === 'trace'), onclick: () => { app.tool = 'trace'; renderTools(app); } }, 'trace one example'));
  if (s.task === 'classify') {
    const classes = Math.min(MAX_CLASSES, Math.max(app.data.classes, 2) + (app.data.classes < MAX_CLASSES ? 1 : 0));
    for (let k = 0; k < classes; k++) {
      const name = app.classNames[k] ?? `class ${k}`;
      buttons.push(h('button', {
        'data-tool': `add-${k}`, 'aria-pressed': pressed(app.tool === 'add' && app.addClass === k), title: `Add a training point of ${name}`,
        onclick: () => { app.tool = 'add'; app.addClass = k; renderTools(app); },
      }, h('i', { class: 'dot', style: `background:${css(CLASS_COLORS[k])}` }), `add ${name}`));
    }
  } else {
    buttons.push(h('button', { 'data-tool': 'add', 'aria-pressed': pressed(app.tool === 'add'), onclick: () => { app.tool = 'add'; renderTools(app); } }, 'add a point'));
  }
  buttons.push(h('button', { 'data-tool': 'remove', 'aria-pressed': pressed(app.tool === 'remove'), onclick: () => { app.tool = 'remove'; renderTools(app); } }, 'remove a point'));
  byId('tools').replaceChildren(...buttons);
}

/** Reads a dropped file as text and hands it to the app. */
export function enableCsvDrop(app: App): void {
  let depth = 0;
  document.addEventListener('dragenter', (e) => { e.preventDefault(); depth++; document.body.classList.add('dragging'); });
  document.addEventListener('dragleave', () => { depth = Math.max(0, depth - 1); if (depth === 0) document.body.classList.remove('dragging'); });
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    document.body.classList.remove('dragging');
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    if (file.size > 2_000_000) {
      app.csvStatus = { text: `${file.name}: ${(file.size / 1e6).toFixed(1)} MB is too large for the playground (2 MB at most)`, error: true };
      renderData(app);
      return;
    }
    file.text().then((text) => app.loadCsv(text, file.name), (err: Error) => {
      app.csvStatus = { text: `${file.name}: ${err.message}`, error: true };
      renderData(app);
    });
  });
}
