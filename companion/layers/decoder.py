"""`Decoder` 층: 잠재 벡터 `z`를 원래 입력 공간의 값으로 되돌립니다."""

import keras

from companion._validation import check_input_dtype, check_input_shape, check_positive_int


@keras.saving.register_keras_serializable(package="companion")
class Decoder(keras.layers.Layer):
    """VAE의 디코더: 잠재 벡터를 0–1 사이 값의 벡터(예: 픽셀 밝기)로 바꿉니다.

    `Dense(intermediate_dim, relu)` 은닉층 하나와 `Dense(original_dim, sigmoid)`
    출력층으로 이루어집니다. 출력이 시그모이드라서 모든 값이 0과 1 사이에 있고,
    0–1로 정규화한 이미지와 바로 비교할 수 있습니다. 하위 층의 이름은
    `dense_proj`, `dense_output`으로 고정되어 있습니다.

    Args:
        original_dim: 출력 벡터의 길이, 곧 원래 입력의 차원 (양의 정수).
        intermediate_dim: 은닉층의 유닛 수 (양의 정수).
        **kwargs: `name`, `dtype` 같은 기반 `Layer`의 인자. 하위 층도 같은
            자료형 정책을 씁니다.

    Call arguments:
        inputs: `(batch_size, latent_dim)` 모양의 잠재 벡터.

    Input shape:
        `(batch_size, ..., latent_dim)`. 마지막 차원의 크기가 정해져 있어야 합니다.

    Output shape:
        `(batch_size, ..., original_dim)`.

    Returns:
        0과 1 사이 값을 가진 재구성 텐서.

    Example:

    >>> decoder = Decoder(original_dim=784, intermediate_dim=16)
    >>> tuple(decoder(keras.ops.zeros((4, 2))).shape)
    (4, 784)
    """

    def __init__(self, original_dim, intermediate_dim=64, **kwargs):
        original_dim = check_positive_int("original_dim", original_dim)
        intermediate_dim = check_positive_int("intermediate_dim", intermediate_dim)
        super().__init__(**kwargs)
        self.original_dim = original_dim
        self.intermediate_dim = intermediate_dim
        policy = self.dtype_policy
        self.dense_proj = keras.layers.Dense(
            intermediate_dim, activation="relu", name="dense_proj", dtype=policy
        )
        self.dense_output = keras.layers.Dense(
            original_dim, activation="sigmoid", name="dense_output", dtype=policy
        )

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        check_input_shape(
            input_shape, f"{type(self).__name__} 층", "(batch_size, latent_dim)", min_ndim=2
        )
        self.dense_proj.build(input_shape)
        self.dense_output.build(input_shape[:-1] + (self.intermediate_dim,))
        self.input_spec = keras.layers.InputSpec(min_ndim=2, axes={-1: input_shape[-1]})

    def call(self, inputs):
        check_input_dtype(inputs, "inputs", f"{self.__class__.__name__} 층")
        return self.dense_output(self.dense_proj(inputs))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1] + (self.original_dim,)

    def get_config(self):
        return {
            **super().get_config(),
            "original_dim": self.original_dim,
            "intermediate_dim": self.intermediate_dim,
        }
