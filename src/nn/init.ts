/**
 * `nb.nn.init`: fill a tensor in place from the seeded global RNG (nb.manualSeed), outside
 * the graph, and return it, like PyTorch's nn.init. "fan in" is the number of inputs to a
 * neuron: `in` for a Linear weight [out, in], `in·kH·kW` for a convolution [out, in, kH, kW].
 */
import { noGrad } from '../autograd/index.js';
import { DTypeError, ValueError, fmtShape, rand, randn, sizeOf, type Tensor } from '../tensor/index.js';

function checkTarget(op: string, t: Tensor, needsFloat: boolean): void {
  if (needsFloat && t.dtype === 'int32') throw new DTypeError(`init.${op}: cannot fill an int32 tensor with random floats (shape ${fmtShape(t.shape)})`);
}

/** Fan in (inputs per neuron) and fan out of a weight tensor with at least 2 axes. */
export function fans(t: Tensor, op = 'fans'): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new ValueError(`init.${op}: fan in/out needs a weight with at least 2 axes ([out, in, ...]), got ${fmtShape(t.shape)}`);
  const receptive = sizeOf(t.shape.slice(2));
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/** Nonlinearities calculateGain knows. */
export type Nonlinearity = 'linear' | 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu' | 'conv';

/**
 * The gain that keeps activations' variance steady through a layer followed by this
 * nonlinearity (PyTorch's table): 1 for linear/sigmoid, 5/3 for tanh, √2 for ReLU,
 * √(2/(1 + a²)) for leaky ReLU with slope a (default 0.01), 3/4 for SELU.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'identity': case 'sigmoid': case 'conv': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
    default: throw new ValueError(`init.calculateGain: unknown nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** Fills with `value`. */
export function constant(t: Tensor, value: number): Tensor {
  return noGrad(() => {
    t.data.fill(value);
    return t;
  });
}

/**
 * All zeros. Fine for biases, but for weights it is the notes' cautionary first option:
 * every neuron of a layer then computes the same output and receives the same gradient,
 * so they stay identical forever (the symmetry is never broken) and the layer acts like a
 * single neuron. Use a random initialiser for weights.
 */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** All ones. */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/** Uniform samples in [low, high): the notes' "random [0, 1]" by default, uniform(t, −1, 1) for "random [−1, 1]". */
export function uniform(t: Tensor, low = 0, high = 1): Tensor {
  checkTarget('uniform', t, true);
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high)) throw new ValueError(`init.uniform: need finite low ≤ high, got [${low}, ${high})`);
  return noGrad(() => t.assign(rand(t.shape, { dtype: t.dtype, low, high })));
}

/** Normal samples with the given mean and standard deviation (np.random.randn for the defaults). */
export function normal(t: Tensor, mean = 0, std = 1): Tensor {
  checkTarget('normal', t, true);
  if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) throw new ValueError(`init.normal: need a finite mean and std ≥ 0, got mean ${mean}, std ${std}`);
  return noGrad(() => t.assign(randn(t.shape, { dtype: t.dtype, mean, std })));
}

export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (used when nonlinearity is 'leakyRelu'; default 0). */
  a?: number;
  /** Preserve the variance of the forward pass ('fanIn', default) or of the backward pass ('fanOut'). */
  mode?: 'fanIn' | 'fanOut';
  /** Default 'leakyRelu' with a = 0, i.e. ReLU's gain √2. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, options: KaimingOptions): number {
  const { fanIn, fanOut } = fans(t, op);
  const fan = (options.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  const nonlinearity = options.nonlinearity ?? 'leakyRelu';
  return calculateGain(nonlinearity, nonlinearity === 'leakyRelu' ? options.a ?? 0 : undefined) / Math.sqrt(fan);
}

/**
 * He / Kaiming normal: N(0, gain²/fan). With the defaults (ReLU, fan in = n inputs to the
 * neuron) this is the notes' w = randn(n)·√(2/n).
 */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  checkTarget('kaimingNormal', t, true);
  return normal(t, 0, kaimingStd('kaimingNormal', t, options));
}

/** He / Kaiming uniform: U(−b, b) with b = gain·√(3/fan), the same variance as kaimingNormal. */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  checkTarget('kaimingUniform', t, true);
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform', t, options);
  return uniform(t, -bound, bound);
}

/** He normal for ReLU layers: randn·√(2/fanIn). */
export function heNormal(t: Tensor): Tensor {
  return kaimingNormal(t, { nonlinearity: 'relu' });
}

/** He uniform for ReLU layers: U(±√(6/fanIn)). */
export function heUniform(t: Tensor): Tensor {
  return kaimingUniform(t, { nonlinearity: 'relu' });
}

/** Glorot / Xavier uniform: U(−b, b), b = gain·√(6/(fanIn + fanOut)) (for tanh/sigmoid layers). */
export function xavierUniform(t: Tensor, gain = 1): Tensor {
  checkTarget('xavierUniform', t, true);
  const { fanIn, fanOut } = fans(t, 'xavierUniform');
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound);
}

/** Glorot / Xavier normal: N(0, gain²·2/(fanIn + fanOut)). */
export function xavierNormal(t: Tensor, gain = 1): Tensor {
  checkTarget('xavierNormal', t, true);
  const { fanIn, fanOut } = fans(t, 'xavierNormal');
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** Keras' name for xavierUniform. */
export const glorotUniform = xavierUniform;
/** Keras' name for xavierNormal. */
export const glorotNormal = xavierNormal;

/** LeCun normal: N(0, 1/fanIn) (for SELU networks). */
export function lecunNormal(t: Tensor): Tensor {
  checkTarget('lecunNormal', t, true);
  return normal(t, 0, 1 / Math.sqrt(fans(t, 'lecunNormal').fanIn));
}

/** LeCun uniform: U(±√(3/fanIn)), the same variance as lecunNormal. */
export function lecunUniform(t: Tensor): Tensor {
  checkTarget('lecunUniform', t, true);
  const bound = Math.sqrt(3 / fans(t, 'lecunUniform').fanIn);
  return uniform(t, -bound, bound);
}
