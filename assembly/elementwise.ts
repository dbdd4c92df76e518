// Elementwise float32 kernels (unary, binary with broadcasting) over byte addresses in the
// shared memory. Each loop is instantiated once per op (the op is a constant after inlining),
// so the vector loops carry no dispatch. Work is split by element or row ranges.
//
// Op codes: keep in step with UNARY_CODES / BINARY_CODES in src/backend/wasm/elementwise.ts.
import { minusOne, nan, one, vexp, vlog, vsigmoid, vtanh } from './vmath';

const NEG = 0, ABS = 1, EXP = 2, LOG = 3, SQRT = 4, TANH = 5, SIGMOID = 6, RELU = 7;
const SIGN = 8, FLOOR = 9, CEIL = 10, ROUND = 11, RECIPROCAL = 12, SQUARE = 13;

const ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAXIMUM = 4, MINIMUM = 5;
const EQ = 6, NE = 7, LT = 8, LE = 9, GT = 10, GE = 11, RELU_GRAD = 12;

@inline function vunary(op: i32, x: v128): v128 {
  switch (op) {
    case NEG: return f32x4.neg(x);
    case ABS: return f32x4.abs(x);
    case EXP: return vexp(x);
    case LOG: return vlog(x);
    case SQRT: return f32x4.sqrt(x);
    case TANH: return vtanh(x);
    case SIGMOID: return vsigmoid(x);
    // x > 0 ? x : 0 — NaN and −0 give +0, as the js kernel does.
    case RELU: return v128.and(x, f32x4.gt(x, f32x4.splat(0)));
    case SIGN: {
      const s = v128.or(v128.and(f32x4.gt(x, f32x4.splat(0)), one()), v128.and(f32x4.lt(x, f32x4.splat(0)), minusOne()));
      return v128.bitselect(x, s, f32x4.ne(x, x));
    }
    case FLOOR: return f32x4.floor(x);
    case CEIL: return f32x4.ceil(x);
    case ROUND: return f32x4.nearest(x); // ties to even
    case RECIPROCAL: return f32x4.div(one(), x);
    case SQUARE: return f32x4.mul(x, x);
    default: return nan();
  }
}

@inline function unaryLoop(op: i32, x: usize, out: usize, end: usize): void {
  while (x < end) {
    v128.store(out, vunary(op, v128.load(x)));
    x += 16;
    out += 16;
  }
}

/**
 * out[i] = op(x[i]) for i in [start, end). Whole vectors: the last one may read and write up
 * to 3 floats past `end`, so buffers are padded to 16 bytes and ranges split on multiples of 4.
 */
export function unary(op: i32, x: usize, out: usize, start: i32, end: i32): void {
  const xs = x + (<usize>start << 2);
  const os = out + (<usize>start << 2);
  const xe = x + (<usize>end << 2);
  switch (op) {
    case NEG: unaryLoop(NEG, xs, os, xe); break;
    case ABS: unaryLoop(ABS, xs, os, xe); break;
    case EXP: unaryLoop(EXP, xs, os, xe); break;
    case LOG: unaryLoop(LOG, xs, os, xe); break;
    case SQRT: unaryLoop(SQRT, xs, os, xe); break;
    case TANH: unaryLoop(TANH, xs, os, xe); break;
    case SIGMOID: unaryLoop(SIGMOID, xs, os, xe); break;
    case RELU: unaryLoop(RELU, xs, os, xe); break;
    case SIGN: unaryLoop(SIGN, xs, os, xe); break;
    case FLOOR: unaryLoop(FLOOR, xs, os, xe); break;
    case CEIL: unaryLoop(CEIL, xs, os, xe); break;
    case ROUND: unaryLoop(ROUND, xs, os, xe); break;
    case RECIPROCAL: unaryLoop(RECIPROCAL, xs, os, xe); break;
    case SQUARE: unaryLoop(SQUARE, xs, os, xe); break;
  }
}

/** The vector binary ops; the same expression on a scalar in lane 0 serves row tails. */
@inline function vbinary(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
    // a >= b || a is NaN ? a : b, and the mirror image: the js kernel's NaN and ±0 behaviour.
    case MAXIMUM: return v128.bitselect(a, b, v128.or(f32x4.ge(a, b), f32x4.ne(a, a)));
    case MINIMUM: return v128.bitselect(a, b, v128.or(f32x4.le(a, b), f32x4.ne(a, a)));
    case EQ: return v128.and(f32x4.eq(a, b), one());
    case NE: return v128.and(f32x4.ne(a, b), one());
    case LT: return v128.and(f32x4.lt(a, b), one());
    case LE: return v128.and(f32x4.le(a, b), one());
    case GT: return v128.and(f32x4.gt(a, b), one());
    case GE: return v128.and(f32x4.ge(a, b), one());
    // a where b > 0, else +0 (NaN b gives 0, as the js kernel).
    case RELU_GRAD: return v128.and(a, f32x4.gt(b, f32x4.splat(0)));
    default: return nan();
  }
}

/**
 * One run of `len` outputs: a and b advance by aStep/bStep ∈ {0, 1} elements (0: one value
 * broadcast along the run). Full vectors, then a scalar tail through lane 0.
 */
@inline function binaryRun(op: i32, a: usize, aStep: i32, b: usize, bStep: i32, out: usize, len: i32): void {
  // Specialised per stride pattern: the steps are constants inside each loop.
  if (aStep != 0 && bStep != 0) runLoop(op, a, 1, b, 1, out, len);
  else if (aStep != 0) runLoop(op, a, 1, b, 0, out, len);
  else if (bStep != 0) runLoop(op, a, 0, b, 1, out, len);
  else runLoop(op, a, 0, b, 0, out, len);
}

@inline function runLoop(op: i32, a: usize, aStep: i32, b: usize, bStep: i32, out: usize, len: i32): void {
  const av0 = v128.load32_splat(a);
  const bv0 = v128.load32_splat(b);
  let j = 0;
  for (; j + 4 <= len; j += 4) {
    const av = aStep ? v128.load(a) : av0;
    const bv = bStep ? v128.load(b) : bv0;
    v128.store(out, vbinary(op, av, bv));
    a += <usize>(aStep << 4);
    b += <usize>(bStep << 4);
    out += 16;
  }
  for (; j < len; j++) {
    const r = vbinary(op, v128.load32_splat(a), v128.load32_splat(b));
    store<f32>(out, f32x4.extract_lane(r, 0));
    a += <usize>(aStep << 2);
    b += <usize>(bStep << 2);
    out += 4;
  }
}

/**
 * Rows r in [r0, r1) of a broadcast binary op viewed as [rows = d0·d1, len]: row r = (i, j)
 * reads a at i·as0 + j·as1 (elements, 0 where broadcast) and steps aStep along the row; the
 * same for b. out is dense. With d0 = d1 = 1 this is a flat 1-D op split by element ranges:
 * then start/end (elements) delimit the part of the single row, else they are 0 and len.
 */
export function binary(
  op: i32, a: usize, b: usize, out: usize, d1: i32, len: i32,
  as0: i32, as1: i32, aStep: i32, bs0: i32, bs1: i32, bStep: i32,
  r0: i32, r1: i32, start: i32, end: i32,
): void {
  switch (op) {
    case ADD: binaryRows(ADD, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
    case SUB: binaryRows(SUB, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
    case MUL: binaryRows(MUL, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
    case DIV: binaryRows(DIV, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
    case MAXIMUM: binaryRows(MAXIMUM, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
    case MINIMUM: binaryRows(MINIMUM, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
    case EQ: binaryRows(EQ, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
    case NE: binaryRows(NE, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
    case LT: binaryRows(LT, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
    case LE: binaryRows(LE, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
    case GT: binaryRows(GT, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
    case GE: binaryRows(GE, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
    case RELU_GRAD: binaryRows(RELU_GRAD, a, b, out, d1, len, as0, as1, aStep, bs0, bs1, bStep, r0, r1, start, end); break;
  }
}

@inline function binaryRows(
  op: i32, a: usize, b: usize, out: usize, d1: i32, len: i32,
  as0: i32, as1: i32, aStep: i32, bs0: i32, bs1: i32, bStep: i32,
  r0: i32, r1: i32, start: i32, end: i32,
): void {
  for (let r = r0; r < r1; r++) {
    const i = r / d1;
    const j = r - i * d1;
    const ao = <usize>(i * as0 + j * as1 + start * aStep) << 2;
    const bo = <usize>(i * bs0 + j * bs1 + start * bStep) << 2;
    const oo = (<usize>r * len + start) << 2;
    binaryRun(op, a + ao, aStep, b + bo, bStep, out + oo, end - start);
  }
}

/** Zeroes `bytes` bytes from `at` (memory.fill: a native memset, unlike a JS fill of shared memory). */
export function fillZero(at: usize, bytes: usize): void {
  memory.fill(at, 0, bytes);
}
