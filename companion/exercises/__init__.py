"""연습 문제 채점기. 각 장의 연습 문제에 대해 `check_*` 함수를 독자의 코드에 호출합니다."""

# One line per chapter module, e.g. `from companion.exercises.chapter01 import check_...`.
from companion.exercises.chapter01 import check_running_mean, check_scale_layer
from companion.exercises.chapter02 import check_feature_affine, check_residual_block
from companion.exercises.chapter03 import (
    check_l1_activity_dense,
    check_mean_abs_monitor,
    check_train_step,
)
from companion.exercises.chapter04 import check_clip_layer, check_residual_wrapper
from companion.exercises.chapter05 import check_masked_max, check_training_noise
from companion.exercises.chapter06 import (
    check_min_max_scaler,
    check_rms_norm,
    check_time_summary,
)
from companion.exercises.chapter07 import check_dense_residual_block, check_mlp_classifier
from companion.exercises.chapter08 import (
    check_bernoulli_vae,
    check_conv_encoder,
    check_latent_interpolation,
)
from companion.exercises.chapter09 import (
    check_summed_kl_sampling,
    check_temperature_sampling,
    check_vae_parts,
)
from companion.exercises.chapter10 import check_retrace_free_step, check_speedup, check_xla_layer
from companion.exercises.chapter11 import (
    check_attention_pooling,
    check_decayed_cumsum,
    check_local_causal_mask,
)
from companion.exercises.chapter12 import check_low_rank_linear, check_tower_layout_map
from companion.exercises.chapter13 import check_probability_endpoint, check_quantizable_composite
from companion.exercises.checker import Checker, CheckReport
