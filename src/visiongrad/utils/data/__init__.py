"""Datasets, samplers, collation and the DataLoader, with ``torch.utils.data``'s API,
plus deterministic stratified splits and k-fold indices."""
from ._worker import WorkerInfo, get_worker_info
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset,
                      TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler)
from .splits import (kfold_indices, stratified_kfold_indices, stratified_split,
                     train_val_test_split)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "Subset",
           "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "WorkerInfo",
           "default_collate", "default_convert", "get_worker_info", "kfold_indices",
           "random_split", "stratified_kfold_indices", "stratified_split",
           "train_val_test_split"]
