import Engine
import Trace

extension Demos {
    static let encoderDecoder = Demo(
        name: "encoder-decoder",
        summary: "A one-layer transformer translating a sentence: encoder self-attention, masked decoder self-attention, cross-attention over the encoder, next-token cross-entropy",
        parameters: [
            EncoderDecoderParameters.source, EncoderDecoderParameters.target, AttentionInput.modelSize,
            EncoderDecoderParameters.heads, EncoderDecoderParameters.feedForwardSize, AttentionInput.training, Common.seed,
        ],
        views: ["attention"],
        build: { config throws(DemoError) in
            var random = config.generator
            let d = config[AttentionInput.modelSize]
            let pair = try TranslationPair(source: config[EncoderDecoderParameters.source], target: config[EncoderDecoderParameters.target], modelSize: d, using: &random)
            try MultiHeadAttention.check(tokens: max(pair.sourceTokens.count, pair.decoderTokens.count), modelSize: d, heads: config[EncoderDecoderParameters.heads])
            let network = EncoderDecoder(
                modelSize: d, heads: config[EncoderDecoderParameters.heads], feedForwardSize: config[EncoderDecoderParameters.feedForwardSize], vocabularySize: pair.vocabulary.count)
            let initial = network.initialParameters(using: &random)
            let next = pair.nextIndices

            let tape = Tape()
            let result = SGDTrainer(AttentionInput.training, config, keeping: DrawnQuantities.attention).run(on: tape, parameters: network.bind(initial, on: tape)) { tape, parameters in
                let source = tape.input(pair.sourceEmbeddings, name: "E^enc", tex: "E^{\\mathrm{enc}}", requiresGradient: false)
                    .labeled([pair.sourceTokens, nil])
                let target = tape.input(pair.targetEmbeddings, name: "E^dec", tex: "E^{\\mathrm{dec}}", requiresGradient: false)
                    .labeled([pair.decoderTokens, nil])
                let Y = network(
                    source: source, target: target, parameters, sourceTokens: pair.sourceTokens, targetTokens: pair.decoderTokens,
                    vocabulary: pair.vocabulary)
                return EncoderDecoder.loss(Y, next: next, labels: pair.nextTokens, vocabulary: pair.vocabulary)
            }
            let source = pair.sourceTokens.joined(separator: " "), target = pair.nextTokens.dropLast().joined(separator: " ")
            return tape.trace(
                title: "Encoder–decoder, d_model = \(d), h = \(config[EncoderDecoderParameters.heads]): “\(source)” → “\(target)”, \(AttentionInput.training.describe(config))",
                model: "encoder-decoder", config: config.values, history: result.history)
        }
    )
}

/// The `encoder-decoder` demo's own parameters.
enum EncoderDecoderParameters {
    static let source = Parameter<String>("source", "the sentence to translate (the encoder's tokens)", length: 1...2000, default: "je suis étudiant", scales: .size)
    static let target = Parameter<String>(
        "target", "its translation (the decoder reads <s> and these words, and predicts these words and </s>)", length: 1...2000,
        default: "i am a student", scales: .size)
    static let heads = Parameter<Int>("heads", "number of heads h of each attention (d_model / h columns each)", 1...256, default: 2, scales: .size)
    static let feedForwardSize = AttentionInput.feedForwardSize("hidden size d_ff of the feed-forward networks")
}
