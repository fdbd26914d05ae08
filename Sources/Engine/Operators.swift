import Trace

// The op vocabulary as operators and free functions on `Var`s, so that model code reads like
// the course's equations: `sigmoid(W_f • concat([h, x]) + b_f)`.

infix operator •: MultiplicationPrecedence

/// Matrix product.
public func • (a: Var, b: Var) -> Var { a.tape.apply(MatMul(), [a, b]) }

public func + (a: Var, b: Var) -> Var { a.tape.apply(Add(), [a, b]) }
public func - (a: Var, b: Var) -> Var { a.tape.apply(Sub(), [a, b]) }
/// Element-wise (Hadamard) product, broadcasting.
public func * (a: Var, b: Var) -> Var { a.tape.apply(Mul(), [a, b]) }
public func / (a: Var, b: Var) -> Var { a.tape.apply(Div(), [a, b]) }
public prefix func - (x: Var) -> Var { x.tape.apply(Neg(), [x]) }

/// factor · x, recorded as `scale`.
public func * (factor: Double, x: Var) -> Var { x.tape.apply(Scale(factor), [x]) }
public func * (x: Var, factor: Double) -> Var { factor * x }

/// c − x with c a recorded constant scalar (e.g. the `1 − z` of a GRU).
public func - (c: Double, x: Var) -> Var { x.tape.constant(Tensor(scalar: c), name: "\(c)", tex: texNumber(c)) - x }
public func + (x: Var, c: Double) -> Var { x + x.tape.constant(Tensor(scalar: c), name: "\(c)", tex: texNumber(c)) }

func texNumber(_ c: Double) -> String {
    c.rounded() == c && abs(c) < 1e15 ? String(Int(c)) : String(c)
}

public func exp(_ x: Var) -> Var { x.tape.apply(Exp(), [x]) }
public func log(_ x: Var) -> Var { x.tape.apply(Log(), [x]) }
public func sqrt(_ x: Var) -> Var { x.tape.apply(Sqrt(), [x]) }
public func square(_ x: Var) -> Var { x.tape.apply(Square(), [x]) }
public func tanh(_ x: Var) -> Var { x.tape.apply(Tanh(), [x]) }
public func sigmoid(_ x: Var) -> Var { x.tape.apply(Sigmoid(), [x]) }
public func relu(_ x: Var) -> Var { x.tape.apply(ReLU(), [x]) }

/// Σ over `axis` (negative counts from the end), or over everything.
public func sum(_ x: Var, axis: Int? = nil, keepdims: Bool = false) -> Var {
    x.tape.apply(Sum(axis: axis.map { $0 < 0 ? $0 + x.shape.count : $0 }, keepdims: keepdims), [x])
}

/// The mean over `axis` (negative counts from the end), or over everything.
public func mean(_ x: Var, axis: Int? = nil, keepdims: Bool = false) -> Var {
    x.tape.apply(Mean(axis: axis.map { $0 < 0 ? $0 + x.shape.count : $0 }, keepdims: keepdims), [x])
}

public func sumTo(_ x: Var, _ shape: [Int]) -> Var { x.tape.apply(SumTo(shape: shape), [x]) }
public func broadcastTo(_ x: Var, _ shape: [Int]) -> Var { x.tape.apply(BroadcastTo(shape: shape), [x]) }

public func softmax(_ x: Var, axis: Int) -> Var {
    x.tape.apply(Softmax(axis: axis < 0 ? axis + x.shape.count : axis), [x])
}

public func logSoftmax(_ x: Var, axis: Int) -> Var {
    x.tape.apply(LogSoftmax(axis: axis < 0 ? axis + x.shape.count : axis), [x])
}

/// The transpose of a matrix (axes reversed), or the axes permuted by `perm`.
/// A matrix's transpose is computed and recorded once per tape and reused: the backward pass of
/// an unrolled network needs Wᵀ at every time step.
public func transpose(_ x: Var, _ perm: [Int]? = nil) -> Var {
    guard perm == nil else { return x.tape.apply(Transpose(perm: perm), [x]) }
    if let cached = x.tape.transposes[x.id] { return Var(tape: x.tape, id: cached) }
    let transposed = x.tape.apply(Transpose(), [x])
    x.tape.transposes[x.id] = transposed.id
    return transposed
}
public func reshape(_ x: Var, _ shape: [Int]) -> Var { x.tape.apply(Reshape(shape: shape), [x]) }

/// Joins along `axis` (default 0: stacking columns into a taller column, as in [h; x]).
public func concat(_ parts: [Var], axis: Int = 0) -> Var {
    precondition(!parts.isEmpty, "concat: nothing to join")
    return parts[0].tape.apply(Concat(axis: axis < 0 ? axis + parts[0].shape.count : axis), parts)
}

public func slice(_ x: Var, axis: Int, _ range: Range<Int>) -> Var {
    x.tape.apply(Slice(axis: axis < 0 ? axis + x.shape.count : axis, start: range.lowerBound, end: range.upperBound), [x])
}

public func pad(_ x: Var, axis: Int, before: Int, after: Int) -> Var {
    x.tape.apply(Pad(axis: axis < 0 ? axis + x.shape.count : axis, before: before, after: after), [x])
}

/// The rows of x at `indices` (an embedding lookup).
public func rows(_ x: Var, _ indices: [Int]) -> Var { x.tape.apply(Rows(indices: indices), [x]) }

/// x where `mask` is non-zero, `value` elsewhere (op `where`): `masked(S, where: causal, else: -.infinity)`.
public func masked(_ x: Var, where mask: Var, else value: Double) -> Var { x.tape.apply(Where(value: value), [mask, x]) }
