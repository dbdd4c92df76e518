import { mkdtempSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nb from 'nabla';

const { nn } = nb;

function trainedModel(): nb.nn.Sequential {
  nb.manualSeed(7);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 2, 3, { padding: 1 }), new nn.BatchNorm2d(2), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(8, 5), new nn.BatchNorm1d(5), new nn.Tanh(), new nn.Dropout(0.3), new nn.Linear(5, 3),
  );
  // A few training-mode passes so the batch-norm running statistics are not their initial values.
  model.train();
  for (let i = 0; i < 3; i++) nb.noGrad(() => model.forward(nb.randn([4, 1, 4, 4])));
  return model;
}

/** The header of a nabla file, and a way to write a modified one back in front of the same data. */
function editHeader(bytes: Uint8Array, edit: (h: Record<string, unknown>) => void): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint32(10, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(14, 14 + len)));
  const blob = bytes.subarray(Math.ceil((14 + len) / 8) * 8);
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((14 + json.length) / 8) * 8;
  const out = new Uint8Array(start + blob.length);
  out.set(bytes.subarray(0, 10));
  new DataView(out.buffer).setUint32(10, json.length, true);
  out.set(json, 14);
  out.set(blob, start);
  return out;
}

describe('save and load', () => {
  it('save → load → predict is bit-identical, with preprocessing, optimizer state and metadata', async () => {
    const model = trainedModel();
    const x = nb.randn([6, 1, 4, 4]);
    const expected = nb.predict(model, x).dataSync();
    const scaler = new nb.data.StandardScaler().fit(nb.randn([10, 3]));
    const optimizer = new nb.optim.Adam(model.parameters(), { lr: 0.01, amsgrad: true });
    const loss = nn.functional.crossEntropy(model.forward(x), nb.tensor([0, 1, 2, 0, 1, 2], { dtype: 'int32' }));
    loss.backward();
    optimizer.step();
    const after = nb.predict(model, x).dataSync();
    const bytes = (await nb.save(model, { toBuffer: true }, {
      preprocessing: scaler.toJSON(), optimizer: optimizer.stateDict(), metadata: { classes: ['a', 'b', 'c'], note: NaN },
    }))!;
    const bundle = await nb.loadBundle(bytes);
    expect(Array.from(nb.predict(bundle.model, x).dataSync())).toEqual(Array.from(after));
    expect(Array.from(after)).not.toEqual(Array.from(expected));
    expect(bundle.model.toString()).toBe(model.toString());
    expect(bundle.metadata).toEqual({ classes: ['a', 'b', 'c'], note: NaN });
    const restored = nb.data.StandardScaler.fromJSON(bundle.preprocessing as ReturnType<typeof scaler.toJSON>);
    const probe = nb.randn([2, 3]);
    expect(Array.from(restored.transform(probe).dataSync())).toEqual(Array.from(scaler.transform(probe).dataSync()));
    // The optimizer resumes exactly: one more step from the saved state equals one more step of the original.
    const resumed = new nb.optim.Adam(bundle.model.parameters(), { lr: 0.01, amsgrad: true });
    resumed.loadStateDict(bundle.optimizer as ReturnType<typeof optimizer.stateDict>);
    for (const [m, opt] of [[model, optimizer], [bundle.model, resumed]] as const) {
      opt.zeroGrad();
      nb.manualSeed(11); // the same dropout mask for both
      nn.functional.crossEntropy(m.forward(x), nb.tensor([2, 2, 1, 1, 0, 0], { dtype: 'int32' })).backward();
      opt.step();
    }
    expect(Array.from(nb.predict(bundle.model, x).dataSync())).toEqual(Array.from(nb.predict(model, x).dataSync()));
  });

  it('writes atomically to a path and reads it back; float64 weights survive exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabla-save-'));
    const model = new nn.Linear(3, 2);
    model.weight.assign(nb.tensor([[0.1, 1 / 3, -2e-30], [Math.PI, -0, 7]]));
    const path = join(dir, 'model.nabla');
    await nb.save(model, path);
    expect(readdirSync(dir)).toEqual(['model.nabla']);
    const loaded = (await nb.load(path)) as nb.nn.Linear;
    expect(Array.from(loaded.weight.dataSync())).toEqual(Array.from(model.weight.dataSync()));
    expect(loaded.weight.dtype).toBe('float32');
    // A failed write leaves nothing behind.
    await expect(nb.save(model, join(dir, 'missing-folder', 'm.nabla'))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['model.nabla']);
    await expect(nb.load(join(dir, 'nope.nabla'))).rejects.toThrow(/load: cannot read .*nope\.nabla.*ENOENT/);
  });

  it('ModelCheckpoint writes the model after every epoch (or only on improvement)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabla-ckpt-'));
    const x = nb.linspace(-1, 1, 16).reshape([16, 1]);
    const every = new nb.ModelCheckpoint(join(dir, 'e{epoch}.nabla'));
    const best = new nb.ModelCheckpoint(join(dir, 'best.nabla'), { saveBestOnly: true, monitor: 'loss' });
    const model = new nn.Linear(1, 1);
    await nb.fit(model, { x, y: x.mul(3) }, { loss: 'mse', optimizer: 'sgd', lr: 0.3, epochs: 3, batchSize: 16, callbacks: [every, best] });
    expect(every.written.map((p) => p.slice(dir.length + 1))).toEqual(['e1.nabla', 'e2.nabla', 'e3.nabla']);
    expect(best.written).toHaveLength(3); // the loss falls every epoch
    const last = (await nb.load(join(dir, 'e3.nabla'))) as nb.nn.Linear;
    expect(last.weight.item()).toBe(model.weight.item());
    expect(existsSync(join(dir, 'best.nabla'))).toBe(true);
  });

  describe('corrupt, truncated or hostile files give a FormatError', () => {
    const good = nb.serialize(trainedModel());

    it('wrong magic bytes', () => {
      const bad = good.slice();
      bad[1] = 0x58;
      expect(() => nb.deserialize(bad)).toThrow(nb.FormatError);
      expect(() => nb.deserialize(bad)).toThrow(/not a nabla model file \(wrong magic bytes\)/);
      expect(() => nb.deserialize(new TextEncoder().encode('{"hello": 1}'))).toThrow(/wrong magic/);
      expect(() => nb.deserialize(new Uint8Array(0))).toThrow(/wrong magic/);
    });

    it('truncated anywhere', () => {
      for (const cut of [5, 12, 40, Math.floor(good.length / 2), good.length - 1]) {
        expect(() => nb.deserialize(good.subarray(0, cut)), `cut at ${cut}`).toThrow(nb.FormatError);
      }
    });

    it('a header length beyond the file', () => {
      const bad = good.slice();
      new DataView(bad.buffer).setUint32(10, 0xfffffff0, true);
      expect(() => nb.deserialize(bad)).toThrow(/header claims 4294967280 bytes/);
    });

    it('a header that is not JSON', () => {
      const bad = good.slice();
      bad[14] = 0x7b;
      bad[15] = 0x7b;
      expect(() => nb.deserialize(bad)).toThrow(/header is not valid JSON/);
    });

    it('shapes that do not match the byte count', () => {
      const bad = editHeader(good, (h) => {
        (h.tensors as { shape: number[] }[])[0].shape = [3, 3, 3, 3];
      });
      expect(() => nb.deserialize(bad)).toThrow(/tensor 0: shape \[3,3,3,3\] of float32 needs 324 bytes, the table says/);
    });

    it('absurd sizes are refused before anything is allocated', () => {
      const bad = editHeader(good, (h) => {
        const t = (h.tensors as { shape: number[]; byteLength: number }[])[0];
        t.shape = [1e6, 1e6];
        t.byteLength = 4e12;
      });
      expect(() => nb.deserialize(bad)).toThrow(/absurd number of elements/);
      const outside = editHeader(good, (h) => {
        const t = (h.tensors as { offset: number }[])[0];
        t.offset = 8 * 1e9;
      });
      expect(() => nb.deserialize(outside)).toThrow(/lie outside the data/);
    });

    it('an unknown dtype, an unknown layer, a weight of the wrong shape, a missing weight, a newer version', () => {
      const dtype = editHeader(good, (h) => { (h.tensors as { dtype: string }[])[0].dtype = 'float16'; });
      expect(() => nb.deserialize(dtype)).toThrow(/unknown dtype 'float16'/);
      const layer = editHeader(good, (h) => { ((h.model as { children: { type: string }[] }).children[0]).type = 'Transformer'; });
      expect(() => nb.deserialize(layer)).toThrow(/architecture cannot be rebuilt: .*unknown module type 'Transformer'/);
      const swapped = editHeader(good, (h) => {
        const state = h.state as Record<string, unknown>;
        [state['0.weight'], state['5.weight']] = [state['5.weight'], state['0.weight']];
      });
      expect(() => nb.deserialize(swapped)).toThrow(/weights do not fit the architecture/);
      const missing = editHeader(good, (h) => { delete (h.state as Record<string, unknown>)['9.bias']; });
      expect(() => nb.deserialize(missing)).toThrow(/missing 9\.bias/);
      const version = editHeader(good, (h) => { h.version = 99; });
      expect(() => nb.deserialize(version)).toThrow(/unsupported format version 99/);
      for (const bad of [dtype, layer, swapped, missing, version]) expect(() => nb.deserialize(bad)).toThrow(nb.FormatError);
    });
  });

  it('the bytes are deterministic: the same model gives the same file', () => {
    expect(Buffer.from(nb.serialize(trainedModel())).equals(Buffer.from(nb.serialize(trainedModel())))).toBe(true);
  });
});
