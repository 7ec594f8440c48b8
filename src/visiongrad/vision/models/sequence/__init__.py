"""Sequence models: a character-level language model, CS231n-style image captioning,
and attention building blocks (additive attention seq2seq, positional encodings,
SAGAN self-attention, ViT patch embedding)."""
from . import attention, captioning, char_rnn
from .attention import (AdditiveAttention, AttentionSeq2Seq, LearnedPositionEmbedding,
                        PatchEmbedding, SelfAttention2d, Seq2SeqConfig,
                        sinusoidal_position_encoding)
from .captioning import (DIGIT_VOCAB, CaptioningConfig, CaptioningRNN, decode_captions,
                         digit_captions)
from .char_rnn import CharRNN, CharRNNConfig, tbptt_step

__all__ = ["AdditiveAttention", "AttentionSeq2Seq", "CaptioningConfig", "CaptioningRNN",
           "CharRNN", "CharRNNConfig", "DIGIT_VOCAB", "LearnedPositionEmbedding",
           "PatchEmbedding", "SelfAttention2d", "Seq2SeqConfig", "attention", "captioning",
           "char_rnn", "decode_captions", "digit_captions", "sinusoidal_position_encoding",
           "tbptt_step"]
