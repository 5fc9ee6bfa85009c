"""`Encoder` 층: 입력을 잠재 분포의 평균·로그 분산과 표본 `z`로 바꿉니다."""

import keras

from companion._validation import (
    check_input_dtype,
    check_input_shape,
    check_positive_int,
    check_seed,
)
from companion.layers.sampling import Sampling


@keras.saving.register_keras_serializable(package="companion")
class Encoder(keras.layers.Layer):
    """VAE의 인코더: 입력을 `(z_mean, z_log_var, z)` 세 텐서로 바꿉니다.

    은닉층 `Dense(intermediate_dim, relu)` 하나를 지난 뒤 두 `Dense` 층이 잠재
    분포의 평균 `z_mean`과 로그 분산 `z_log_var`를 따로 계산하고, `Sampling` 층이
    그 분포에서 `z`를 뽑습니다 (재매개변수화 기법). 하위 층의 이름은 고정되어
    있습니다: `dense_proj`, `z_mean`, `z_log_var`, `sampling`.

    Args:
        latent_dim: 잠재 공간의 차원 (양의 정수).
        intermediate_dim: 은닉층의 유닛 수 (양의 정수).
        seed: `Sampling` 층에 넘길 난수 시드(정수) 또는 `None`.
        **kwargs: `name`, `dtype` 같은 기반 `Layer`의 인자. 하위 층도 같은
            자료형 정책(dtype policy)을 씁니다.

    Call arguments:
        inputs: `(batch_size, input_dim)` 모양의 텐서.

    Input shape:
        `(batch_size, ..., input_dim)`. 마지막 차원의 크기가 정해져 있어야 합니다.

    Output shape:
        세 출력 모두 `(batch_size, ..., latent_dim)`.

    Returns:
        `(z_mean, z_log_var, z)` 튜플.

    Example:

    >>> encoder = Encoder(latent_dim=2, intermediate_dim=16, seed=0)
    >>> z_mean, z_log_var, z = encoder(keras.ops.ones((4, 784)))
    >>> tuple(z.shape)
    (4, 2)
    """

    def __init__(self, latent_dim=32, intermediate_dim=64, seed=None, **kwargs):
        latent_dim = check_positive_int("latent_dim", latent_dim)
        intermediate_dim = check_positive_int("intermediate_dim", intermediate_dim)
        seed = check_seed(seed)
        super().__init__(**kwargs)
        self.latent_dim = latent_dim
        self.intermediate_dim = intermediate_dim
        self.seed = seed
        # Sub-layers share the outer layer's dtype policy (e.g. mixed_float16), as Keras's
        # own composite layers do; fixed names keep summaries and saved weights readable.
        policy = self.dtype_policy
        self.dense_proj = keras.layers.Dense(
            intermediate_dim, activation="relu", name="dense_proj", dtype=policy
        )
        self.dense_mean = keras.layers.Dense(latent_dim, name="z_mean", dtype=policy)
        self.dense_log_var = keras.layers.Dense(latent_dim, name="z_log_var", dtype=policy)
        self.sampling = Sampling(seed=seed, name="sampling", dtype=policy)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        check_input_shape(
            input_shape, f"{type(self).__name__} 층", "(batch_size, input_dim)", min_ndim=2
        )
        # Built here, not lazily, so that a reloaded `.keras` file finds every weight.
        self.dense_proj.build(input_shape)
        hidden_shape = input_shape[:-1] + (self.intermediate_dim,)
        self.dense_mean.build(hidden_shape)
        self.dense_log_var.build(hidden_shape)
        self.input_spec = keras.layers.InputSpec(min_ndim=2, axes={-1: input_shape[-1]})

    def call(self, inputs):
        check_input_dtype(inputs, "inputs", f"{self.__class__.__name__} 층")
        x = self.dense_proj(inputs)
        z_mean = self.dense_mean(x)
        z_log_var = self.dense_log_var(x)
        z = self.sampling((z_mean, z_log_var))
        return z_mean, z_log_var, z

    def compute_output_shape(self, input_shape):
        output_shape = tuple(input_shape)[:-1] + (self.latent_dim,)
        return output_shape, output_shape, output_shape

    def get_config(self):
        return {
            **super().get_config(),
            "latent_dim": self.latent_dim,
            "intermediate_dim": self.intermediate_dim,
            "seed": self.seed,
        }
