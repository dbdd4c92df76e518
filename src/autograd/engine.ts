import { DTypeError, ShapeError, ValueError, fmtShape, kernelsFor, onesLike, residentZeros, shapesEqual, Tensor, type BackwardOptions, type GradTarget } from '../tensor/index.js';
import { enableGrad, noGrad } from './mode.js';

/** Tensors reachable from the roots through recorded ops, inputs before outputs. */
function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep graphs (long training loops unrolled by hand) must not overflow the stack.
  const stack: [Tensor, boolean][] = roots.map((r) => [r, false]);
  while (stack.length > 0) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (seen.has(t)) continue;
    seen.add(t);
    stack.push([t, true]);
    for (const input of t.gradNode?.inputs ?? []) if (input.requiresGrad && !seen.has(input)) stack.push([input, false]);
  }
  return order;
}

/** Sums a gradient over broadcast axes and casts it so it matches `like`: the one place unbroadcasting happens. */
export function reduceGradTo(g: Tensor, like: Tensor): Tensor {
  let out = g;
  if (!shapesEqual(g.shape, like.shape)) {
    const lead = g.ndim - like.ndim;
    if (lead < 0) throw new ShapeError(`backward: gradient of shape ${fmtShape(g.shape)} cannot flow into shape ${fmtShape(like.shape)}`);
    const axes: number[] = [];
    for (let i = 0; i < g.ndim; i++) if (i < lead || (like.shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
    out = out.sum(axes, true).reshape(like.shape);
  }
  return out.dtype === like.dtype ? out : out.cast(like.dtype);
}

/**
 * Gradients kept by `ownGradient` (an optimizer's `zeroGrad({ setToNone: false })`), each with
 * storage of its own and a private buffer of the same size: during backward an op may write
 * the parameter's gradient into the buffer instead of a new array (see GradNode.backward); the
 * engine then adds it into the kept gradient once backward has finished. No op and no user code
 * ever sees the buffer, and the kept gradient changes only after every op has run.
 */
const ownedGradients = new WeakMap<Tensor, Tensor>();

/**
 * Gives `param` a zero-filled gradient of its own that later backward passes add into (PyTorch's
 * accumulation into an existing `.grad`), in the backend's memory where it keeps resident
 * arrays. An owned gradient is refilled with zeros; any other is replaced.
 */
export function ownGradient(param: Tensor): void {
  const current = param.grad;
  if (current && ownedGradients.has(current) && current.dtype === param.dtype && shapesEqual(current.shape, param.shape)) {
    const kernels = kernelsFor(current.dtype);
    if (kernels.fill) kernels.fill(current.data, 0);
    else current.data.fill(0);
    return;
  }
  const fresh = residentZeros(param.shape, param.dtype);
  ownedGradients.set(fresh, residentZeros(param.shape, param.dtype));
  param.grad = fresh;
}

/** Whether t is a gradient made by `ownGradient`: storage no other tensor shares, safe to write in place. */
export function isOwnedGradient(t: Tensor): boolean {
  return ownedGradients.has(t);
}

/**
 * The private buffer of a leaf's kept gradient, offered to an op's backward for the leaf's first
 * gradient of this pass (see GradNode.backward), or null.
 */
function gradientBuffer(input: Tensor, grads: Map<Tensor, Tensor>, offered: Set<Tensor>): GradTarget | null {
  const kept = input.grad;
  if (!input.isLeaf || !input.requiresGrad || !kept || grads.has(input) || offered.has(input)) return null;
  const buffer = ownedGradients.get(kept);
  if (!buffer || buffer.dtype !== input.dtype || !shapesEqual(buffer.shape, input.shape)) return null;
  return { grad: buffer, added: false };
}

/** kept += g in place: same shape and dtype (the add kernel, reading and writing one element at a time). */
function addInto(kept: Tensor, g: Tensor): void {
  kernelsFor(kept.dtype).binary('add', kept.data, kept.shape, g.data, g.shape, kept.data, kept.shape);
}

/**
 * Propagates gradients from roots back through the graph and returns the gradient that
 * reached each tensor. Paths that meet at one tensor add up (the notes' shared variable).
 * With `buffers` (a plain backward), ops may write a leaf's gradient into the private buffer of
 * its kept `.grad` instead of a new array; the map then holds that buffer.
 */
export function propagate(
  roots: readonly Tensor[], rootGrads: readonly Tensor[], createGraph: boolean, buffers = false,
): Map<Tensor, Tensor> {
  const grads = new Map<Tensor, Tensor>();
  const run = (): void => {
    roots.forEach((r, i) => {
      const prev = grads.get(r);
      grads.set(r, prev ? prev.add(rootGrads[i]) : rootGrads[i]);
    });
    const order = topoOrder(roots);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const node = t.gradNode;
      const g = grads.get(t);
      if (!node || !g) continue;
      let into: (GradTarget | null)[] | undefined;
      if (buffers) {
        const offered = new Set<Tensor>();
        into = node.inputs.map((input) => {
          const target = gradientBuffer(input, grads, offered);
          if (target) offered.add(input);
          return target;
        });
      }
      const inputGrads = node.backward(g, into);
      node.inputs.forEach((input, k) => {
        const target = into?.[k];
        const ig = target?.added ? target.grad : inputGrads[k];
        if (!ig || !input.requiresGrad) return;
        const fitted = reduceGradTo(ig, input);
        const prev = grads.get(input);
        grads.set(input, prev ? prev.add(fitted) : fitted);
      });
    }
  };
  if (createGraph) enableGrad(run);
  else noGrad(run);
  return grads;
}

/** `t.backward(gradient?, {createGraph?})`: adds d(t)/d(leaf) into every leaf's `.grad`. */
export function backward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new ValueError('backward: this tensor does not require gradients (no input had requiresGrad set, or it was computed inside noGrad)');
  }
  let g = gradient;
  if (g === undefined) {
    if (root.size !== 1) throw new ShapeError(`backward: a gradient can be implied only for a one-element tensor; this one has shape ${fmtShape(root.shape)} (pass a gradient of that shape)`);
    g = onesLike(root);
  } else if (!shapesEqual(g.shape, root.shape)) {
    throw new ShapeError(`backward: gradient shape ${fmtShape(g.shape)} does not match tensor shape ${fmtShape(root.shape)}`);
  }
  const createGraph = options.createGraph ?? false;
  // A plain backward lets ops write into the private buffers of kept gradients.
  const grads = propagate([root], [g.dtype === root.dtype ? g : g.cast(root.dtype)], createGraph, !createGraph);
  for (const [t, tg] of grads) {
    if (!t.isLeaf || !t.requiresGrad) continue;
    if (!createGraph && t.grad && ownedGradients.has(t.grad) && tg.dtype === t.grad.dtype && shapesEqual(tg.shape, t.grad.shape)) {
      // A kept gradient keeps its storage (in wasm memory, where the optimizer reads it).
      addInto(t.grad, tg);
      continue;
    }
    const add = (): Tensor => (t.grad ? t.grad.add(tg) : tg);
    t.grad = createGraph ? enableGrad(add) : noGrad(add).detach();
  }
}

/** Throws unless a tensor can carry gradients. */
export function checkDifferentiable(op: string, t: Tensor): void {
  if (t.dtype === 'int32') throw new DTypeError(`${op}: cannot differentiate with respect to an int32 tensor of shape ${fmtShape(t.shape)} (use float32 or float64)`);
}
