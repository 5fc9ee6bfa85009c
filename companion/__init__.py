"""서브클래싱으로 새 층과 모델 만들기 — Keras 3 강좌의 동반 패키지.

책의 각 장이 가르치는 층과 모델의 최종 구현, 데이터 로더, 훈련 루프, 그림 도구,
연습 문제 채점기를 담고 있습니다. 공개된 이름은 모두 이 패키지 최상위에서 가져올 수
있습니다 (`from companion import Linear`). 모든 층과 모델 모듈을 여기서 읽어 들이므로
`import companion`만 하면 `.keras` 파일을 다시 불러올 때 필요한 직렬화 등록도 끝납니다.

`import companion`에는 기본 의존성(Keras와 그 백엔드 하나, NumPy)만 있으면 됩니다. Jupyter나
matplotlib은 읽어 들이지 않습니다: 그림 함수는 처음 불릴 때 `matplotlib.pyplot`을 읽어 들이고,
`show_source()`는 IPython 없이도 동작합니다.
"""

import importlib.metadata as _metadata
import types as _types

# Helpers and settings.
from companion.benchmarks import load_attention_speed_results, load_benchmark_results
from companion.data import FASHION_MNIST_CLASS_NAMES, load_fashion_mnist, seed_keras_cache
from companion.display import show_source
from companion.distribution import (
    bytes_per_device,
    check_layout_map,
    collectives,
    device_shards,
    is_sharded,
    ring_all_reduce_bytes,
    shard_table,
)
from companion.exercises import (
    Checker,
    CheckReport,
    check_attention_pooling,
    check_bernoulli_vae,
    check_clip_layer,
    check_conv_encoder,
    check_decayed_cumsum,
    check_dense_residual_block,
    check_feature_affine,
    check_l1_activity_dense,
    check_latent_interpolation,
    check_local_causal_mask,
    check_low_rank_linear,
    check_masked_max,
    check_mean_abs_monitor,
    check_min_max_scaler,
    check_mlp_classifier,
    check_probability_endpoint,
    check_quantizable_composite,
    check_residual_block,
    check_residual_wrapper,
    check_retrace_free_step,
    check_rms_norm,
    check_running_mean,
    check_scale_layer,
    check_speedup,
    check_summed_kl_sampling,
    check_temperature_sampling,
    check_time_summary,
    check_tower_layout_map,
    check_train_step,
    check_training_noise,
    check_vae_parts,
    check_xla_layer,
)
from companion.export import (
    EXPORT_FORMATS,
    build_export_model,
    find_result,
    format_export_table,
    load_export_results,
    run_exported,
    run_litert,
    run_onnx,
    run_openvino,
    run_saved_model,
    run_torch_program,
    try_export,
)

# Layers, models and helpers (isort order: ruff keeps these blocks sorted).
from companion.layers import (
    ActivityRegularizationLayer,
    ComputeSum,
    CustomDropout,
    Decoder,
    Encoder,
    GatedFusion,
    KLDivergenceSampling,
    Linear,
    LogisticEndpoint,
    MaskedAverage,
    MLPBlock,
    PositionEmbedding,
    QuantizableLinear,
    QuantizableMLPBlock,
    ResNetBlock,
    Sampling,
    ScanRNN,
    SimpleMultiHeadAttention,
    TransformerEncoderBlock,
)
from companion.models import ResNet, VariationalAutoEncoder, build_functional_vae
from companion.plotting import (
    plot_benchmark_results,
    plot_generated,
    plot_latent_space,
    plot_reconstructions,
)
from companion.processes import ProcessCellError, PythonProcesses
from companion.settings import SEED
from companion.training import train_custom_loop

try:
    # One source for the version: pyproject.toml, read back from the installed metadata.
    __version__ = _metadata.version("companion")
except _metadata.PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"

__all__ = sorted(
    name
    for name, value in globals().items()
    if not name.startswith("_") and not isinstance(value, _types.ModuleType)
)
