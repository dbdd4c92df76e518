/**
 * The convolution block conv → ReLU → max-pool (LeNet's, VGG's) as one op. The values are
 * ReLU-then-pool's; pooling first and the ReLU after gives them without the full-size ReLU
 * output, and the backend computes the block (and its backward) in one call each, so the
 * conv output and its gradient never become tensors. Only a NaN inside a window differs:
 * pooling first lets it win and the ReLU turns it to 0, where ReLU first drops it (NaN → 0)
 * and the window's max wins.
 */
import type { Conv2dGeometry } from '../backend/types.js';
import { isGradEnabled } from '../autograd/index.js';
import { ShapeError, fmtShape, kernelsFor, shapesEqual, type Tensor } from '../tensor/index.js';
import { reluGrad } from './binary.js';
import { conv2d, convInputGrad, convWeightGrad, planConv2d, type Conv2dOptions } from './conv.js';
import { checkFloat, checkTensor, output, record } from './core.js';
import { maxPool2d, maxPoolAdjoint, planPool, type MaxPool2dOptions } from './pool.js';
import type { Pair } from './window.js';

/**
 * maxPool2d(relu(conv2d(x, weight, bias, convOptions)), kernelSize, poolOptions) in one op:
 * x [N, C, H, W] → [N, outC, pooledH, pooledW]. Fused for float32 and float64 inputs of the
 * same dtype with a stride-1, ungrouped convolution without an odd 'same' padding; any other
 * case is the three ops in sequence. Gradients of every order are available.
 */
export function conv2dMaxPoolRelu(
  x: Tensor, weight: Tensor, bias: Tensor | null, convOptions: Conv2dOptions, kernelSize: Pair, poolOptions: MaxPool2dOptions = {},
): Tensor {
  checkTensor('conv2dMaxPoolRelu', x);
  checkTensor('conv2dMaxPoolRelu', weight, 'weight');
  const plan = planConv2d('conv2d', x.shape, weight.shape, convOptions);
  const g = plan.geometry;
  const sameDtype = weight.dtype === x.dtype && (bias === null || bias.dtype === x.dtype);
  const fusable = x.ndim === 4 && plan.groups === 1 && g.strideH === 1 && g.strideW === 1 &&
    plan.extra[0] === 0 && plan.extra[1] === 0 && sameDtype && x.dtype !== 'int32' &&
    (bias === null || shapesEqual(bias.shape, [plan.outChannels])) && !poolOptions.ceilMode;
  if (!fusable) return maxPool2d(conv2d(x, weight, bias, convOptions).relu(), kernelSize, poolOptions);
  checkFloat('conv2dMaxPoolRelu', x);
  const outChannels = plan.outChannels;
  const pool = planPool('maxPool2d', [g.batch, outChannels, g.outH, g.outW], kernelSize, poolOptions);
  const [y, k] = output([g.batch, outChannels, pool.outH, pool.outW], x.dtype);
  const argmax = new Int32Array(y.size);
  k.conv2dMaxPoolRelu(x.data, weight.data, bias?.data ?? null, g, outChannels, pool, y.data, argmax);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record(y, 'conv2dMaxPoolRelu', inputs, (grad) => {
    const wantDx = x.requiresGrad;
    const wantDw = weight.requiresGrad;
    const wantDb = bias?.requiresGrad ?? false;
    if (isGradEnabled()) return composedBackward(grad, y, argmax, x, weight, g, pool, wantDx, wantDw, wantDb, bias !== null);
    const kb = kernelsFor(x.dtype);
    const [dx] = wantDx ? output(x.shape, x.dtype) : [null];
    const [dw] = wantDw ? output(weight.shape, weight.dtype) : [null];
    const [db] = wantDb && bias ? output(bias.shape, bias.dtype) : [null];
    kb.conv2dMaxPoolReluBackward(grad.data, y.data, argmax, x.data, weight.data, g, outChannels, pool, dx?.data ?? null, dw?.data ?? null, db?.data ?? null);
    return [dx, dw, db];
  });
}

/**
 * The backward as differentiable ops, for create-graph passes (gradients of gradients): the
 * ReLU's mask (y > 0), the pooling's scatter, then the convolution's two adjoints.
 */
function composedBackward(
  grad: Tensor, y: Tensor, argmax: Int32Array, x: Tensor, weight: Tensor, g: Conv2dGeometry, pool: Conv2dGeometry,
  wantDx: boolean, wantDw: boolean, wantDb: boolean, withBias: boolean,
): (Tensor | null)[] {
  if (!shapesEqual(grad.shape, y.shape)) throw new ShapeError(`conv2dMaxPoolRelu: gradient of shape ${fmtShape(grad.shape)} for an output of shape ${fmtShape(y.shape)}`);
  const dz = maxPoolAdjoint(reluGrad(grad, y), argmax, pool);
  const dx = wantDx ? convInputGrad(dz, weight, g) : null;
  const [dw, db] = wantDw || wantDb ? convWeightGrad(x, dz, g, withBias) : [null, null];
  return [dx, wantDw ? dw : null, wantDb ? db : null];
}
