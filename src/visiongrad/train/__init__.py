"""Training practice: the Trainer loop, callbacks (early stopping, checkpoints),
classification metrics, ensembles, the sanity checks and hyper-parameter search."""
from .callbacks import Callback, EarlyStopping, ModelCheckpoint
from .ensemble import Ensemble
from .metrics import accuracy, confusion_matrix, per_class_accuracy, top_k_accuracy
from .sanity import (CheckResult, CurveDiagnosis, check_initial_loss, diagnose_curves, find_lr,
                     overfit_small_sample)
from .search import (KFoldTrial, TrainTrial, build_model, choice, coarse_to_fine, cross_validate,
                     grid_search, log_uniform, narrow_space, nas_space, random_search, run_search,
                     sequence, uniform)
from .trainer import Trainer, TrainingDivergedError

__all__ = ["Callback", "CheckResult", "CurveDiagnosis", "EarlyStopping", "Ensemble",
           "KFoldTrial", "ModelCheckpoint", "TrainTrial", "Trainer", "TrainingDivergedError",
           "accuracy", "build_model", "check_initial_loss", "choice", "coarse_to_fine",
           "confusion_matrix", "cross_validate", "diagnose_curves", "find_lr", "grid_search",
           "log_uniform", "narrow_space", "nas_space", "overfit_small_sample",
           "per_class_accuracy", "random_search", "run_search", "sequence", "top_k_accuracy",
           "uniform"]
