/**
 * The keys of a model entry for a tiny BERT (2 layers, width 32, 4 heads): random weights that build in well
 * under a second, for tests whose subject is not the model. Indented as a key of an entry under `models:`.
 */
export const TINY_BERT_KEYS = `    config: bert-base-uncased
    hidden_size: 32
    num_hidden_layers: 2
    num_attention_heads: 4
    intermediate_size: 37`;

/** The same for a tiny GPT-2 (2 layers, width 32, 4 heads). */
export const TINY_GPT2_KEYS = `    config: gpt2
    n_layer: 2
    n_embd: 32
    n_head: 4`;
