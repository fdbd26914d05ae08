import Trace

// Losses are compositions of recorded ops, so every term of them shows in a trace.

/// Q = ½ Σ (y − t)²: its gradient with respect to y is the error y − t.
public func halfSquaredError(_ y: Var, _ target: Var) -> Var {
    0.5 * sum(square(y - target))
}

/// Q = mean((y − t)²) over every element.
public func meanSquaredError(_ y: Var, _ target: Var) -> Var {
    mean(square(y - target))
}

/// Q = −(1/n) Σ t · log softmax(z), with the classes along `axis` and n the number of samples
/// (the elements of the other axes). `target` holds one-hot (or probability) columns.
public func softmaxCrossEntropy(logits z: Var, target: Var, axis: Int = 0) -> Var {
    let samples = z.value.count / z.shape[axis]
    return (-1 / Double(samples)) * sum(target * logSoftmax(z, axis: axis))
}
