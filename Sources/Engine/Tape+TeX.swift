import Trace

extension Tape {
    /// Every tensor's reading in TeX, by id (see `TeXName`): one pass in id order, as a trace
    /// writes them. Ids are a topological order, and a gradient comes after its loss and after
    /// the tensor it is the gradient of, so every reading this one needs is written before it.
    func texNames() -> [TeXName] {
        var names: [TeXName] = []
        names.reserveCapacity(nodes.count)
        for id in nodes.indices { names.append(texName(id) { names[$0] }) }
        return names
    }

    /// One tensor's reading: only the tensors it is written from are read, each once.
    func texName(of id: Int) -> TeXName {
        var known: [Int: TeXName] = [:]
        var pending = [id]
        while let next = pending.last {
            let missing = texSources(of: next).filter { known[$0] == nil }
            if missing.isEmpty {
                known[next] = texName(next) { known[$0]! }
                pending.removeLast()
            } else {
                pending += missing
            }
        }
        return known[id]!
    }

    /// The tensors whose readings tensor `id`'s is written from: none for a name.
    private func texSources(of id: Int) -> [Int] {
        let node = nodes[id]
        if node.tex != nil { return [] }
        if node.role == .gradient, let of = node.of, let loss = node.gradientLoss { return [loss, of] }
        return node.op == nil ? [] : node.inputs
    }

    /// Tensor `id`'s reading from the readings of its sources (`reading`): the name the model gave;
    /// for a gradient `\frac{\partial Q}{\partial x}`, x shortened to `TeXName.gradientWidth`; for
    /// an op's output its op's reading; `\mathrm{tensor\_7}` for a leaf without a name.
    private func texName(_ id: Int, reading: (Int) -> TeXName) -> TeXName {
        let node = nodes[id]
        if let tex = node.tex { return TeXName(name: tex) }
        if node.role == .gradient, let of = node.of, let loss = node.gradientLoss {
            let (q, x) = (reading(loss).shortened(to: TeXName.gradientWidth), reading(of).shortened(to: TeXName.gradientWidth))
            return TeXName(
                tex: "\\frac{\\partial \(TeXName.operand(q, .atom))}{\\partial \(TeXName.operand(x, .atom))}", binding: .atom, isTall: true)
        }
        guard let op = node.op else { return TeXName(tex: "\\mathrm{\(Var(tape: self, id: id).name.replacingUnderscores)}", binding: .atom) }
        return TeXName.reading(of: op, node.inputs.map(reading))
    }
}
