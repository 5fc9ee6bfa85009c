"""`KLDivergenceSampling` 층: 표본을 뽑으면서 KL 발산을 손실로 더합니다."""

import keras
from keras import ops

from companion._validation import check_real
from companion.layers.sampling import Sampling, _check_pair


def kl_divergence_to_standard_normal(z_mean, z_log_var, dtype):
    """`N(z_mean, exp(z_log_var))`와 `N(0, I)` 사이의 KL 발산을 배치와 잠재 차원에 대해 평균합니다.

    `-0.5 * mean(z_log_var - z_mean² - exp(z_log_var) + 1)`과 같은 값입니다. 부호를 안으로
    넣어 써서, 두 분포가 같을 때 `-0.0`이 아니라 `+0.0`이 나옵니다. 패키지에서 KL 항을 쓰는
    곳(`KLDivergenceSampling`, `VariationalAutoEncoder`)은 모두 이 함수를 씁니다.

    Args:
        z_mean: 잠재 분포의 평균 텐서.
        z_log_var: `z_mean`과 모양이 같은 로그 분산 텐서.
        dtype: 계산에 쓸 자료형. 층의 변수 자료형(`mixed_float16`에서도 `float32`)을 넘기면
            `exp()`와 제곱의 합이 넘치지 않습니다.

    Returns:
        스칼라 텐서.
    """
    mean = ops.cast(z_mean, dtype)
    log_var = ops.cast(z_log_var, dtype)
    return 0.5 * ops.mean(ops.exp(log_var) + ops.square(mean) - log_var - 1.0)


@keras.saving.register_keras_serializable(package="companion")
class KLDivergenceSampling(Sampling):
    """`Sampling`처럼 잠재 벡터를 뽑고, KL 발산을 `add_loss()`로 더하는 층.

    인코더가 내놓은 정규분포 `N(z_mean, exp(z_log_var))`와 표준정규분포 `N(0, I)`
    사이의 KL 발산을 호출할 때마다 계산해 층의 손실(`layer.losses`)에 넣습니다.
    손실은 2020년 Keras 가이드의 VAE와 같은 식으로, 배치와 잠재 차원 전체에 대한
    평균입니다.

    `kl_loss = -0.5 * kl_weight * mean(z_log_var - z_mean² - exp(z_log_var) + 1)`

    (잠재 차원에 대해 합하지 않고 평균하므로, 정확한 KL 발산을 잠재 차원 수로 나눈
    값입니다.) `kl_weight`를 1보다 크게 주면 β-VAE처럼 잠재 공간을 더 강하게
    정규분포 쪽으로 끌어당깁니다.

    Keras 3에서는 함수형 모델에 심볼릭 텐서로 손실을 더하는 `model.add_loss(tensor)`가
    없어졌습니다. 손실은 정방향 계산 중에 층의 `call()` 안에서 더해야 하므로, 함수형
    API로 만든 VAE는 이 층으로 KL 항을 훈련에 넣습니다.

    Args:
        kl_weight: KL 손실에 곱하는 0 이상의 유한한 수 (β-VAE의 β). 기본값 `1.0`.
        seed: 난수 시드(정수) 또는 `None`.
        **kwargs: `name`, `dtype` 같은 기반 `Layer`의 인자.

    Call arguments:
        inputs: `(z_mean, z_log_var)` 두 텐서의 리스트나 튜플. 모양이 같아야 합니다.

    Input shape:
        두 입력 모두 `(batch_size, latent_dim)`.

    Output shape:
        `z_mean`과 같은 모양.

    Returns:
        `z_mean`과 모양·자료형이 같은 표본 텐서. KL 손실은 `layer.losses`에 들어가고,
        `fit()`은 이를 컴파일한 손실에 자동으로 더합니다.

    Example:

    >>> layer = KLDivergenceSampling(kl_weight=1.0, seed=0)
    >>> z = layer([keras.ops.zeros((4, 2)), keras.ops.zeros((4, 2))])
    >>> float(layer.losses[0])  # N(0, I)와 N(0, I)의 KL 발산
    0.0
    """

    def __init__(self, kl_weight=1.0, seed=None, **kwargs):
        kl_weight = check_real("kl_weight", kl_weight, minimum=0.0)
        super().__init__(seed=seed, **kwargs)
        self.kl_weight = kl_weight

    def call(self, inputs):
        _check_pair(inputs, self.__class__.__name__)
        z_mean, z_log_var = inputs
        # The loss is accumulated in the variable dtype (float32 under "mixed_float16"),
        # so the sum of squares cannot overflow and it adds cleanly to the float32 main loss.
        kl_loss = kl_divergence_to_standard_normal(z_mean, z_log_var, self.variable_dtype)
        self.add_loss(self.kl_weight * kl_loss)
        return self._sample(z_mean, z_log_var)

    def get_config(self):
        return {**super().get_config(), "kl_weight": self.kl_weight}
