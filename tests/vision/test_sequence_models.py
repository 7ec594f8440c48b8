import numpy as np
import pytest
import torch

import visiongrad as vg
import visiongrad.nn.functional as F
from visiongrad.autograd.gradcheck import gradcheck
from visiongrad.nn import Embedding, Linear
from visiongrad.nn.utils import clip_grad_norm_
from visiongrad.optim import Adam
from visiongrad.vision.datasets import Digits
from visiongrad.vision.models import get, list_models
from visiongrad.vision.models.sequence.captioning import DIGIT_WORDS
from visiongrad.vision.models.sequence import (DIGIT_VOCAB, AdditiveAttention,
                                               AttentionSeq2Seq, CaptioningConfig,
                                               CaptioningRNN, CharRNN, CharRNNConfig,
                                               LearnedPositionEmbedding, PatchEmbedding,
                                               SelfAttention2d, Seq2SeqConfig,
                                               decode_captions, digit_captions,
                                               sinusoidal_position_encoding, tbptt_step)

HELLO = {c: i for i, c in enumerate("helo")}


def _indices(text):
    return vg.tensor([[HELLO[c] for c in text]])


def test_embedding_equals_one_hot_times_weight_exactly():
    vg.manual_seed(0)
    embedding = Embedding(7, 5)
    idx = vg.tensor([[3, 0, 6], [6, 6, 1]])
    by_matmul = F.one_hot(idx, 7).float() @ embedding.weight
    assert np.array_equal(embedding(idx).data, by_matmul.data)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_char_rnn_overfits_hello(cell):
    vg.manual_seed(0)
    model = CharRNN(CharRNNConfig(vocab_size=4, embedding_dim=8, hidden_size=16, cell=cell))
    optimizer = Adam(model.parameters(), lr=0.05)
    x, y = _indices("hell"), _indices("ello")
    for _ in range(200):
        logits, _ = model(x)
        if np.array_equal(logits.data.argmax(-1), y.data):
            break
        loss = F.cross_entropy(logits.reshape(-1, 4), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert logits.shape == (1, 4, 4)
    assert np.array_equal(logits.data.argmax(-1), y.data)


def test_char_rnn_rejects_unknown_cell():
    with pytest.raises(ValueError, match="cell should be one of"):
        CharRNN(CharRNNConfig(cell="transformer"))


def test_seeded_temperature_sampling_is_reproducible():
    vg.manual_seed(0)
    model = CharRNN(CharRNNConfig(vocab_size=11, embedding_dim=4, hidden_size=8, cell="gru"))
    vg.manual_seed(5)
    first = model.sample([1, 2, 3], 30, temperature=1.5)
    vg.manual_seed(5)
    second = model.sample([1, 2, 3], 30, temperature=1.5)
    vg.manual_seed(6)
    other = model.sample([1, 2, 3], 30, temperature=1.5)
    assert first.shape == (1, 33) and first.dtype == vg.int64
    assert np.array_equal(first.data, second.data)
    assert np.array_equal(first.data[0, :3], [1, 2, 3])
    assert not np.array_equal(first.data, other.data)


def test_sampling_at_low_temperature_is_greedy():
    vg.manual_seed(1)
    model = CharRNN(CharRNNConfig(vocab_size=9, embedding_dim=4, hidden_size=8, cell="rnn"))
    sampled = model.sample([[4], [7]], 12, temperature=1e-4).data
    greedy = sampled[:, :1]
    for _ in range(12):
        logits, _ = model(vg.tensor(greedy))
        greedy = np.concatenate([greedy, logits.data[:, -1:].argmax(-1)], axis=1)
    assert np.array_equal(sampled, greedy)
    with pytest.raises(ValueError, match="temperature must be positive"):
        model.sample([4], 3, temperature=0.0)


def _torch_char_lstm(model):
    c = model.config
    embedding = torch.nn.Embedding(c.vocab_size, c.embedding_dim)
    lstm = torch.nn.LSTM(c.embedding_dim, c.hidden_size, batch_first=True)
    head = torch.nn.Linear(c.hidden_size, c.vocab_size)
    ours = dict(model.named_parameters())
    with torch.no_grad():
        for prefix, module in (("embedding", embedding), ("rnn", lstm), ("head", head)):
            for name, param in module.named_parameters():
                param.copy_(torch.from_numpy(ours[f"{prefix}.{name}"].data))
    return embedding, lstm, head


def _torch_chunked_grads(model, x, y, chunk_length):
    """PyTorch reference: per-chunk mean cross-entropy, the state detached between
    chunks (chunk_length = sequence length is full BPTT)."""
    embedding, lstm, head = _torch_char_lstm(model)
    hidden = None
    for start in range(0, x.shape[1], chunk_length):
        if hidden is not None:
            hidden = tuple(h.detach() for h in hidden)
        xs = torch.from_numpy(x[:, start:start + chunk_length])
        ys = torch.from_numpy(y[:, start:start + chunk_length])
        output, hidden = lstm(embedding(xs), hidden)
        logits = head(output)
        torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                          ys.reshape(-1)).backward()
    return {f"{prefix}.{name}": p.grad.numpy()
            for prefix, module in (("embedding", embedding), ("rnn", lstm), ("head", head))
            for name, p in module.named_parameters()}


@pytest.mark.parametrize("chunk_length", [12, 4])
def test_bptt_gradients_equal_pytorch(chunk_length):
    vg.manual_seed(2)
    model = CharRNN(CharRNNConfig(vocab_size=6, embedding_dim=5, hidden_size=7, cell="lstm"))
    rng = np.random.default_rng(0)
    x = rng.integers(0, 6, size=(3, 12))
    y = rng.integers(0, 6, size=(3, 12))
    hidden = None
    for start in range(0, 12, chunk_length):
        _, hidden = tbptt_step(model, vg.tensor(x[:, start:start + chunk_length]),
                               vg.tensor(y[:, start:start + chunk_length]), hidden)
    expected = _torch_chunked_grads(model, x, y, chunk_length)
    for name, param in model.named_parameters():
        np.testing.assert_allclose(param.grad.data, expected[name], rtol=1e-4, atol=1e-6,
                                   err_msg=name)


def test_truncated_bptt_carries_the_state_but_no_gradient_across_chunks():
    vg.manual_seed(3)
    model = CharRNN(CharRNNConfig(vocab_size=6, embedding_dim=4, hidden_size=8, cell="gru"))
    optimizer = Adam(model.parameters(), lr=0.0)  # lr 0: the weights stay comparable
    # tokens 0 and 1 appear only in the first chunk, 2..5 only in the second
    first_x, first_y = vg.tensor([[0, 1, 0, 1]]), vg.tensor([[1, 0, 1, 0]])
    second_x, second_y = vg.tensor([[2, 3, 4, 5]]), vg.tensor([[3, 4, 5, 2]])
    _, hidden = tbptt_step(model, first_x, first_y, None, optimizer)
    loss, _ = tbptt_step(model, second_x, second_y, hidden, optimizer)
    assert not hidden.requires_grad
    assert np.all(model.embedding.weight.grad.data[:2] == 0)
    assert np.any(model.embedding.weight.grad.data[2:] != 0)

    # the forward pass did continue from the first chunk's state ...
    logits, _ = model(vg.cat([first_x, second_x], dim=1))
    second_loss = F.cross_entropy(logits[:, 4:].reshape(-1, 6), second_y.reshape(-1))
    assert loss == pytest.approx(second_loss.item(), rel=1e-6)
    # ... and full BPTT would have sent the second chunk's gradient into the first
    model.zero_grad()
    second_loss.backward()
    assert np.all(np.abs(model.embedding.weight.grad.data[:2]).sum(1) > 0)


def _jacobian_norm(weight, steps):
    """Spectral norm of ∂h_T/∂h_0 for the linear RNN h_t = W h_{t−1}, by autograd."""
    H = weight.shape[0]
    rows = []
    for k in range(H):
        h0 = vg.zeros(H, dtype=vg.float64, requires_grad=True)
        h = h0 + 1.0
        for _ in range(steps):
            h = vg.tensor(weight) @ h
        h[k].backward()
        rows.append(h0.grad.data)
    return np.linalg.norm(np.stack(rows), 2)


@pytest.mark.parametrize("sigma_max", [0.8, 1.25])
def test_linear_rnn_gradient_norm_scales_like_sigma_max_to_the_t(sigma_max):
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    # symmetric, so that the largest singular value is also the spectral radius
    weight = q @ np.diag([sigma_max, 0.7, 0.5, -0.3, 0.1]) @ q.T
    steps = np.arange(1, 16)
    norms = np.array([_jacobian_norm(weight, int(t)) for t in steps])
    slope = np.polyfit(steps, np.log(norms), 1)[0]
    assert slope == pytest.approx(np.log(sigma_max), abs=1e-6)
    assert (norms[-1] > 10) if sigma_max > 1 else (norms[-1] < 0.1)


def test_clip_by_norm_equals_clip_grad_norm():
    vg.manual_seed(4)
    layers = [Linear(3, 4), Linear(4, 2)]
    params = [p for layer in layers for p in layer.parameters()]
    for p in params:
        p.grad = vg.randn(*p.shape) * 10
    grads = [p.grad.data.astype(np.float64) for p in params]
    total = np.sqrt(sum((g ** 2).sum() for g in grads))
    returned = clip_grad_norm_(params, 1.0)
    assert float(returned) == pytest.approx(total, rel=1e-5)
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.data, g * 1.0 / (total + 1e-6), rtol=1e-5)


def test_captioning_loss_is_the_null_masked_mean():
    vg.manual_seed(5)
    config = CaptioningConfig(vocab_size=9, input_dim=6, wordvec_dim=4, hidden_dim=5)
    model = CaptioningRNN(config)
    features = vg.randn(3, 6)
    captions = vg.tensor([[1, 4, 5, 2, 0, 0], [1, 7, 2, 0, 0, 0], [1, 3, 3, 8, 6, 2]])
    loss = model.loss(features, captions)
    scores = model(features, captions[:, :-1]).data.astype(np.float64)  # (N, T, V)
    log_probs = scores - scores.max(-1, keepdims=True)
    log_probs -= np.log(np.exp(log_probs).sum(-1, keepdims=True))
    targets = captions.data[:, 1:]
    picked = np.take_along_axis(log_probs, targets[..., None], -1)[..., 0]
    mask = targets != config.null_idx
    assert loss.item() == pytest.approx(-(picked * mask).sum() / mask.sum(), rel=1e-5)


def test_captioning_lstm_shapes_and_gradients():
    vg.manual_seed(6)
    model = CaptioningRNN(CaptioningConfig(input_dim=6, wordvec_dim=4, hidden_dim=5,
                                           cell="lstm"))
    features = vg.randn(2, 6)
    captions = vg.tensor(digit_captions([3, 8]))
    assert model(features, captions[:, :-1]).shape == (2, 4, len(DIGIT_VOCAB))
    model.loss(features, captions).backward()
    assert np.any(model.feature_proj.weight.grad.data != 0)
    assert model.sample(features, 7).shape == (2, 7)


def test_digit_captions():
    captions = digit_captions([7, 0], length=5)
    assert [[DIGIT_VOCAB[i] for i in row] for row in captions] == [
        ["<START>", "seven", "<END>", "<NULL>", "<NULL>"],
        ["<START>", "zero", "<END>", "<NULL>", "<NULL>"]]
    assert decode_captions(captions[:, 1:]) == ["seven", "zero"]
    with pytest.raises(ValueError, match="digits 0..9"):
        digit_captions([10])


def test_captioning_overfits_digit_captions():
    digits = Digits(train=True)
    features = vg.tensor(digits.data[:50].reshape(50, -1).astype(np.float32) / 255)
    captions = vg.tensor(digit_captions(digits.targets[:50]))
    vg.manual_seed(0)
    model = CaptioningRNN(CaptioningConfig())
    optimizer = Adam(model.parameters(), lr=1e-2)
    for _ in range(200):
        loss = model.loss(features, captions)
        if loss.item() < 0.1:
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.1
    sampled = model.sample(features, max_length=4)
    assert decode_captions(sampled) == [DIGIT_WORDS[d] for d in digits.targets[:50]]
    # greedy sampling writes <NULL> after <END>
    assert np.all(sampled.data[:, 1] == 2) and np.all(sampled.data[:, 2:] == 0)


def test_registered_builders():
    assert {"char_rnn", "captioning_rnn"} <= set(list_models())
    char_model = get("char_rnn", num_classes=30, cell="gru")
    assert isinstance(char_model, CharRNN) and char_model.head.out_features == 30
    caption_model = get("captioning_rnn")
    assert isinstance(caption_model, CaptioningRNN)
    assert caption_model.head.out_features == len(DIGIT_VOCAB)


def test_additive_attention_weights_sum_to_one_and_match_the_formula():
    vg.manual_seed(7)
    attention = AdditiveAttention(query_dim=3, key_dim=4, hidden_dim=5)
    query, keys = vg.randn(2, 3), vg.randn(2, 6, 4)
    context, weights = attention(query, keys)
    assert context.shape == (2, 4) and weights.shape == (2, 6)
    np.testing.assert_allclose(weights.data.sum(-1), 1.0, rtol=1e-6)
    W = attention.query_proj.weight.data
    U, b = attention.key_proj.weight.data, attention.key_proj.bias.data
    v = attention.score.weight.data[0]
    e = np.tanh((query.data @ W.T)[:, None] + keys.data @ U.T + b) @ v  # (N, S)
    a = np.exp(e - e.max(-1, keepdims=True))
    a /= a.sum(-1, keepdims=True)
    np.testing.assert_allclose(weights.data, a, rtol=1e-5)
    np.testing.assert_allclose(context.data, (a[..., None] * keys.data).sum(1), rtol=1e-5)


def test_additive_attention_gradcheck():
    vg.manual_seed(8)
    attention = AdditiveAttention(3, 4, 5).double()
    query = vg.randn(2, 3, dtype=vg.float64, requires_grad=True)
    keys = vg.randn(2, 5, 4, dtype=vg.float64, requires_grad=True)
    assert gradcheck(lambda q, k: attention(q, k)[0], [query, keys])


def test_attention_seq2seq_learns_to_reverse():
    vg.manual_seed(0)
    rng = np.random.default_rng(0)
    S, V = 5, 6  # token V is the start token
    model = AttentionSeq2Seq(Seq2SeqConfig(vocab_size=V + 1, start_idx=V, hidden_size=32,
                                           attention_dim=16))
    optimizer = Adam(model.parameters(), lr=2e-2)
    for _ in range(250):
        source = rng.integers(0, V, size=(32, S))
        target = source[:, ::-1].copy()
        target_in = np.concatenate([np.full((32, 1), V), target[:, :-1]], axis=1)
        scores, weights = model(vg.tensor(source), vg.tensor(target_in))
        loss = F.cross_entropy(scores.reshape(-1, V + 1), vg.tensor(target).reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert weights.shape == (32, S, S)
    source = rng.integers(0, V, size=(200, S))
    tokens, attention_maps = model.generate(vg.tensor(source), S)
    assert (tokens.data == source[:, ::-1]).mean() >= 0.95
    np.testing.assert_allclose(attention_maps.sum(-1), 1.0, rtol=1e-5)


def test_sinusoidal_position_encoding_matches_the_closed_form():
    length, dim = 20, 7
    encoding = sinusoidal_position_encoding(length, dim).data
    expected = np.zeros((length, dim))
    for p in range(length):
        for j in range(dim):
            angle = p / 10000 ** ((j // 2) * 2 / dim)
            expected[p, j] = np.sin(angle) if j % 2 == 0 else np.cos(angle)
    assert encoding.shape == (length, dim) and encoding.dtype == np.float32
    np.testing.assert_allclose(encoding, expected, atol=1e-6)
    assert np.all(np.abs(encoding) <= 1)
    assert len({row.tobytes() for row in encoding}) == length


def test_sinusoidal_position_shift_is_a_rotation_per_frequency():
    dim, k = 8, 3
    encoding = sinusoidal_position_encoding(30, dim).data.astype(np.float64)
    for i in range(dim // 2):
        omega = 1 / 10000 ** (2 * i / dim)
        # (sin, cos)(p + k) = R(k·ω) (sin, cos)(p), the same R for every p
        rotation = np.array([[np.cos(k * omega), np.sin(k * omega)],
                             [-np.sin(k * omega), np.cos(k * omega)]])
        pairs = encoding[:, 2 * i:2 * i + 2]
        np.testing.assert_allclose(pairs[:-k] @ rotation.T, pairs[k:], atol=1e-5)


def test_learned_position_embedding():
    vg.manual_seed(9)
    positions = LearnedPositionEmbedding(10, 4)
    x = vg.randn(2, 6, 4)
    y = positions(x)
    np.testing.assert_array_equal(y.data, x.data + positions.weight.data[:6])
    y.sum().backward()
    assert np.all(positions.weight.grad.data[:6] == 2) and np.all(
        positions.weight.grad.data[6:] == 0)
    with pytest.raises(ValueError, match="T ≤ 10"):
        positions(vg.randn(1, 11, 4))


def test_self_attention_2d_starts_as_identity():
    vg.manual_seed(10)
    block = SelfAttention2d(16)
    x = vg.randn(2, 16, 5, 3)
    np.testing.assert_array_equal(block(x).data, x.data)


def test_self_attention_2d_equals_attention_over_flattened_positions():
    vg.manual_seed(11)
    block = SelfAttention2d(8, key_channels=2, value_channels=4)
    block.gamma.data[...] = 0.7
    x = vg.randn(2, 8, 4, 3)
    y, weights = block(x, return_attention=True)
    assert y.shape == (2, 8, 4, 3) and weights.shape == (2, 12, 12)

    def linear(conv, tokens):  # a 1×1 convolution is a Linear over the channels
        return F.linear(tokens, conv.weight[:, :, 0, 0], conv.bias)

    tokens = x.flatten(2).transpose(1, 2)  # (N, H·W, C), row-major positions
    attended = F.scaled_dot_product_attention(linear(block.query, tokens),
                                              linear(block.key, tokens),
                                              linear(block.value, tokens), scale=1.0)
    expected = tokens + 0.7 * linear(block.out, attended)  # (N, H·W, C)
    np.testing.assert_allclose(y.flatten(2).transpose(1, 2).data, expected.data,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(weights.data.sum(-1), 1.0, rtol=1e-6)


def test_patch_embedding_equals_patch_reshape_and_linear():
    vg.manual_seed(12)
    p, C, E = 4, 3, 10
    embed = PatchEmbedding(p, C, E)
    x = vg.randn(2, C, 8, 12)
    out = embed(x)
    assert out.shape == (2, 6, E)
    patches = (x.data.reshape(2, C, 2, p, 3, p).transpose(0, 2, 4, 1, 3, 5)
               .reshape(2, 6, C * p * p))  # row-major patches, each flattened (C, p, p)
    weight = embed.proj.weight.data.reshape(E, -1)
    np.testing.assert_allclose(out.data, patches @ weight.T + embed.proj.bias.data,
                               rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="multiples of 4"):
        embed(vg.randn(1, C, 6, 8))
