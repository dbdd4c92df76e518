/**
 * The page's state and what the controls can do to it. Changing data settings regenerates
 * the points and the network; changing the architecture rebuilds the network; changing
 * the optimizer, learning rate, batch size or penalty keeps the weights.
 */
import * as nb from 'nabla';
import { makeData, readCsv, type Data } from './datasets.js';
import { buildNetwork, traceModel, traceTarget, type Network } from './network.js';
import { DATASETS_1D, DATASETS_2D, defaults, normalize, toQuery, type Settings } from './settings.js';
import { Trainer } from './trainer.js';
// Types only (erased from the bundle): the export follows the CLI's model-file format.
import type { TabularPreprocessing } from '../../src/cli/data/tabular.js';
import type { RunMetadata } from '../../src/cli/saved.js';

type Trace = nb.explain.BackpropTrace;

export type Tool = 'trace' | 'add' | 'remove';

const DATA_KEYS: (keyof Settings)[] = ['task', 'dataset', 'classes', 'noise', 'points', 'trainRatio', 'seed', 'custom'];
const NET_KEYS: (keyof Settings)[] = ['layers', 'activations', 'dropout', 'init', 'cost'];

export class App {
  settings: Settings;
  data!: Data;
  net!: Network;
  trainer!: Trainer;
  playing = false;
  /** The traced point's index in data.points. */
  selected: number | null = null;
  tool: Tool = 'trace';
  /** Class a click adds (classification). */
  addClass = 0;
  /** Names of the classes of a CSV file, when one was dropped. */
  classNames: string[] = [];
  csvStatus: { text: string; error: boolean } = { text: '', error: false };
  private readonly listeners: (() => void)[] = [];

  constructor(settings: Settings) {
    this.settings = normalize(settings);
    this.rebuildData();
  }

  /** Calls f after every change of settings or state that the controls show. */
  subscribe(f: () => void): void {
    this.listeners.push(f);
  }

  private changed(): void {
    history.replaceState(null, '', `${location.pathname}?${toQuery(this.settings)}`);
    for (const f of this.listeners) f();
  }

  /** Applies a change of settings at the depth it needs. */
  set(patch: Partial<Settings>): void {
    const keys = Object.keys(patch) as (keyof Settings)[];
    if (patch.task && patch.task !== this.settings.task) {
      this.settings = normalize({ ...defaults(patch.task), seed: this.settings.seed });
      this.classNames = [];
      this.rebuildData();
    } else {
      this.settings = normalize({ ...this.settings, ...patch });
      if (keys.some((k) => DATA_KEYS.includes(k))) {
        if (patch.dataset && patch.dataset !== 'custom') this.classNames = [];
        this.rebuildData();
      } else if (keys.some((k) => NET_KEYS.includes(k))) {
        this.rebuildNetwork();
      } else {
        this.trainer.updateSettings(this.settings);
      }
    }
    this.changed();
  }

  private rebuildData(): void {
    this.data = makeData(this.settings);
    this.selected = null;
    this.rebuildNetwork();
  }

  private rebuildNetwork(): void {
    this.net = buildNetwork(this.settings, this.data.classes);
    this.trainer = new Trainer(this.settings, this.data, this.net);
  }

  /** Fresh weights (same seed: the same start), epoch 0. */
  reset(): void {
    this.pause();
    this.rebuildNetwork();
    this.changed();
  }

  /** A new seed: new points, a new split and new initial weights. */
  reseed(): void {
    this.set({ seed: (this.settings.seed % 9999) + 1 });
  }

  play(): void {
    if (this.trainer.diverged) return;
    this.playing = true;
    this.changed();
  }

  pause(): void {
    this.playing = false;
    this.changed();
  }

  toggle(): void {
    if (this.playing) this.pause(); else this.play();
  }

  /** One gradient step on one batch (paused). */
  stepOnce(): void {
    this.playing = false;
    this.trainer.step();
    this.changed();
  }

  /** Turns the current points into the user's own dataset, then applies an edit. */
  private editPoints(edit: (points: Settings['custom']) => void): void {
    const points = this.data.points.map((p) => ({ ...p }));
    edit(points);
    const classesBefore = this.data.classes;
    this.settings = normalize({ ...this.settings, dataset: 'custom', custom: points });
    const next = makeData(this.settings);
    if (next.classes !== classesBefore) {
      this.data = next;
      this.rebuildNetwork();
    } else {
      this.data = next;
      this.trainer.setData(next);
    }
    this.changed();
  }

  /** Adds a training point at (x, y) of the chosen class (or, fitting a curve, the value y at x). */
  addPoint(x: number, y: number): void {
    this.editPoints((points) => {
      if (this.settings.task === 'regress') points.push({ x, y: 0, label: y, test: false });
      else points.push({ x, y, label: this.addClass, test: false });
    });
  }

  removePoint(index: number): void {
    if (this.selected === index) this.selected = null;
    else if (this.selected !== null && this.selected > index) this.selected--;
    this.editPoints((points) => points.splice(index, 1));
  }

  select(index: number | null): void {
    this.selected = index;
    this.changed();
  }

  /** Uses a dropped CSV file as the dataset. */
  loadCsv(text: string, fileName: string): void {
    try {
      const csv = readCsv(text, fileName, this.settings.trainRatio, this.settings.seed);
      this.pause();
      const base = csv.task === this.settings.task ? this.settings : defaults(csv.task);
      this.settings = normalize({ ...base, seed: this.settings.seed, dataset: 'custom', custom: csv.points });
      this.classNames = csv.classNames;
      this.csvStatus = { text: csv.summary, error: false };
      this.rebuildData();
    } catch (e) {
      this.csvStatus = { text: (e as Error).message, error: true };
    }
    this.changed();
  }

  /** nb.explain.backprop for the traced point with the current weights, or the reason it cannot be traced. */
  traceSelected(): { trace: Trace | null; error: string | null } {
    if (this.selected === null) return { trace: null, error: null };
    const p = this.data.points[this.selected];
    if (!p) return { trace: null, error: null };
    const x = this.data.task === 'regress' ? [p.x] : [p.x, p.y];
    try {
      const trace = nb.explain.backprop(traceModel(this.net), x, traceTarget(this.net, p.label), { loss: this.net.loss });
      return { trace, error: null };
    } catch (e) {
      return { trace: null, error: (e as Error).message };
    }
  }

  /**
   * The model in nabla's native format, with the preprocessing and metadata `nabla train`
   * writes, so nb.load reads it and the CLI's summary, predict and evaluate accept it.
   * Inputs are the plot's coordinates as they are (no scaling).
   */
  modelBytes(): Uint8Array {
    const s = this.settings;
    const classify = s.task === 'classify';
    const inputs = classify ? ['x1', 'x2'] : ['x'];
    const classes = classify ? Array.from({ length: this.data.classes }, (_, k) => this.classNames[k] ?? String(k)) : [];
    const preprocessing: TabularPreprocessing = {
      kind: 'tabular', version: 1, columns: inputs.map((name) => ({ name, type: 'numeric' as const })), featureNames: inputs, scaler: null,
      target: classify ? { name: 'class', task: 'classification', classes } : { name: 'y', task: 'regression', scaler: null },
    };
    const output: RunMetadata['output'] = { softmax: 'logits', sigmoid1: 'binary-probability', sigmoid: 'scores', value: 'value' }[this.net.head] as RunMetadata['output'];
    const list = classify ? DATASETS_2D : DATASETS_1D;
    const history = this.trainer.history;
    const metadata: RunMetadata = {
      createdBy: 'nabla playground',
      createdAt: new Date().toISOString(),
      command: `nabla playground ?${toQuery(s)}`,
      source: { kind: 'csv', path: 'nabla playground' },
      title: `${list.find((d) => d.name === s.dataset)?.label ?? s.dataset} (nabla playground)`,
      task: classify ? 'classification' : 'regression',
      classes,
      inputShape: [inputs.length],
      output,
      loss: this.net.loss,
      settings: {
        optimizer: s.optimizer, lr: s.lr, batchSize: s.batchSize, seed: s.seed, layers: s.layers.join('-'), activations: s.activations.join('-'),
        dropout: s.dropout, regularization: s.regularization, lambda: s.lambda, init: s.init,
      },
      epochsCompleted: this.trainer.epoch,
      history: { loss: history.map((h) => h.train), testLoss: history.map((h) => h.test) },
    };
    return nb.serialize(this.net.model, { preprocessing, metadata });
  }
}
