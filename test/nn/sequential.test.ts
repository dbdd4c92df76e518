import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';

const nn = nb.nn;

function mlp(dtype: 'float32' | 'float64' = 'float64'): nb.nn.Sequential {
  return new nn.Sequential(
    new nn.Linear(4, 8, { init: 'he', dtype }),
    new nn.BatchNorm1d(8, { dtype }),
    new nn.ReLU(),
    new nn.Dropout(0.2),
    new nn.Linear(8, 3, { bias: false, dtype }),
    new nn.LogSoftmax(1),
  );
}

describe.each(backends)('Sequential and model state on %s', (backend) => {
  beforeEach(() => {
    nb.setBackend(backend);
    nb.manualSeed(1);
  });

  it('chains its modules; children are named 0, 1, …', () => {
    const a = new nn.Linear(3, 4, { dtype: 'float64' });
    const b = new nn.Tanh();
    const c = new nn.Linear(4, 2, { dtype: 'float64' });
    const model = new nn.Sequential(a).add(b).add(c);
    const x = nb.randn([5, 3], { dtype: 'float64' });
    expectClose(model.forward(x), c.forward(b.forward(a.forward(x))), { atol: 0, rtol: 0 });
    expect(model.length).toBe(3);
    expect(model.at(1)).toBe(b);
    expect(model.at(-1)).toBe(c);
    expect([...model]).toEqual([a, b, c]);
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(model.numParameters()).toBe(3 * 4 + 4 + 4 * 2 + 2);
    expect(nb.gradcheck((xi) => model.forward(xi), [x])).toBe(true);
    expect(() => model.at(3)).toThrow('Sequential.at: index 3 is out of range for 3 modules');
    expect(() => model.add({} as nb.nn.Module)).toThrow(/Sequential.add: expected a Module/);
  });

  it('toString is a summary with parameter counts', () => {
    const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(128, 10));
    expect(model.toString()).toBe([
      'Sequential',
      '  (0): Linear(784 → 128)  [100480 params]',
      '  (1): ReLU()',
      '  (2): Dropout(p=0.5)',
      '  (3): Linear(128 → 10)  [1290 params]',
      'Total trainable parameters: 101770',
    ].join('\n'));
  });

  it('train() and eval() reach every child', () => {
    const model = mlp();
    model.eval();
    expect(model.children().every((m) => !m.training)).toBe(true);
    const x = nb.randn([6, 4], { dtype: 'float64' });
    // In eval mode dropout is off and batch norm uses running statistics: deterministic.
    expectClose(model.forward(x), model.forward(x), { atol: 0, rtol: 0 });
    model.train();
    expect(model.children().every((m) => m.training)).toBe(true);
  });

  it('stateDict / loadStateDict round trip (parameters and buffers)', () => {
    const source = mlp();
    source.forward(nb.randn([6, 4], { dtype: 'float64' })); // moves the running statistics
    nb.manualSeed(99);
    const target = mlp();
    expect(Object.keys(source.stateDict())).toEqual([
      '0.weight', '0.bias', '1.weight', '1.bias', '4.weight', '1.runningMean', '1.runningVar', '1.numBatchesTracked',
    ]);
    target.loadStateDict(source.stateDict());
    for (const [k, t] of Object.entries(target.stateDict())) expectClose(t, source.stateDict()[k], { atol: 0, rtol: 0 });
    source.eval();
    target.eval();
    const x = nb.randn([3, 4], { dtype: 'float64' });
    expectClose(target.forward(x), source.forward(x), { atol: 0, rtol: 0 });
    const partial = { ...source.stateDict() };
    delete partial['4.weight'];
    expect(() => target.loadStateDict(partial)).toThrow(/loadStateDict: missing 4.weight/);
    // Same number of values in another shape is refused too, and nothing is written.
    const before = target.stateDict()['0.bias'].dataSync();
    const transposed = { ...source.stateDict(), '0.bias': nb.zeros([8], { dtype: 'float64' }), '4.weight': nb.zeros([8, 3], { dtype: 'float64' }) };
    expect(() => target.loadStateDict(transposed)).toThrow("loadStateDict: '4.weight' has shape [8,3], the model expects [3,8]");
    expectClose(target.stateDict()['0.bias'], before, { atol: 0, rtol: 0 });
  });

  it('config → JSON → moduleFromConfig rebuilds the same architecture', () => {
    const model = mlp();
    const json = JSON.stringify(model.config());
    const rebuilt = nn.moduleFromConfig(JSON.parse(json));
    expect(rebuilt).toBeInstanceOf(nn.Sequential);
    expect(rebuilt.toString()).toBe(model.toString());
    expect(JSON.stringify(rebuilt.config())).toBe(json);
    rebuilt.loadStateDict(model.stateDict());
    model.eval();
    rebuilt.eval();
    const x = nb.randn([2, 4], { dtype: 'float64' });
    expectClose(rebuilt.forward(x), model.forward(x), { atol: 0, rtol: 0 });
    const layer = nn.moduleFromConfig({ type: 'Linear', args: { inFeatures: 3, outFeatures: 2, bias: false, init: 'lecun' } }) as nb.nn.Linear;
    expect(layer.describe()).toBe('Linear(3 → 2, bias=false)');
    expect(() => nn.moduleFromConfig({ type: 'Linear', args: { inFeatures: '3', outFeatures: 2 } })).toThrow(/moduleFromConfig: Linear needs a number 'inFeatures', got "3"/);
    expect(() => nn.moduleFromConfig({ type: 'Linear', args: { inFeatures: 3, outFeatures: 2, init: 'best' } })).toThrow(/Linear needs one of default, he/);
    expect(() => nn.moduleFromConfig({ type: 'Nope' })).toThrow(/unknown module type 'Nope'/);
  });

  it('every layer type of this folder rebuilds from its config', () => {
    const modules: nb.nn.Module[] = [
      new nn.Linear(2, 3, { init: 'glorot' }), new nn.Flatten(0, 1), new nn.Dropout(0.1), new nn.BatchNorm1d(4, { eps: 1e-3, momentum: null }),
      new nn.Identity(), new nn.Step(), new nn.Sign(), new nn.PiecewiseLinear(), new nn.Sigmoid(), new nn.Tanh(), new nn.ReLU(),
      new nn.Softplus(2), new nn.LeakyReLU(0.2), new nn.Softmax(0), new nn.LogSoftmax(), new nn.ELU(0.5), new nn.GELU('tanh'), new nn.SiLU(),
    ];
    for (const m of modules) {
      const config = JSON.parse(JSON.stringify(m.config()));
      const rebuilt = nn.moduleFromConfig(config);
      expect(rebuilt.typeName).toBe(m.typeName);
      expect(rebuilt.config()).toEqual(m.config());
      expect(rebuilt.describe()).toBe(m.describe());
    }
  });

  it('a shape error says which layer of the Sequential raised it', () => {
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(6, 2));
    expect(() => model.forward(nb.zeros([2, 4]))).toThrow('Linear(6 → 2): input has 8 features, expected 6 (input shape [2,8]) (in Sequential layer 2)');
  });
});
