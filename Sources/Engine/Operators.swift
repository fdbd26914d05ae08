// The op vocabulary as operators and free functions on `Var`s, so that model code reads like
// the course's equations: `sigmoid(W_f • concat([h, x]) + b_f)`. Each op's function is in its
// family's file (Ops/), beside its forward and gradient rule; this file declares the operator.

/// Matrix product (see `MatMul`).
infix operator •: MultiplicationPrecedence
