"""`VariationalAutoEncoder` 모델: `Encoder`와 `Decoder`를 잇고 KL 발산을 손실로 더합니다."""

import keras
from keras import ops

from companion._validation import check_positive_int, check_real, check_seed
from companion.layers.decoder import Decoder
from companion.layers.encoder import Encoder
from companion.layers.kl_divergence_sampling import kl_divergence_to_standard_normal


@keras.saving.register_keras_serializable(package="companion")
class VariationalAutoEncoder(keras.Model):
    """변분 오토인코더(VAE): 입력을 잠재 분포로 압축했다가 다시 재구성합니다.

    `Encoder`가 입력에서 `(z_mean, z_log_var, z)`를 만들고 `Decoder`가 `z`에서 입력을
    재구성합니다. `call()`은 잠재 분포와 표준정규분포 사이의 KL 발산
    `-0.5 * mean(z_log_var - z_mean² - exp(z_log_var) + 1)`에 `kl_weight`를 곱해
    `add_loss()`로 더합니다. 그래서 `compile(loss="mse")`와 `fit(x, x)`로 훈련하면
    재구성 손실과 KL 손실의 합이 줄어들고, 직접 쓴 훈련 루프에서는 `model.losses`로
    KL 손실을 꺼내 씁니다.

    그림을 그릴 때는 하위 층을 따로 씁니다: `model.encoder(x)[0]`은 잠재 공간의
    좌표(`z_mean`), `model.decoder(z)`는 잠재 벡터에서 만든 이미지입니다.

    `fit()`과 `evaluate()`는 손실 세 가지를 따로 보고합니다: `loss`(합), `reconstruction_loss`
    (`compile(loss=...)`로 준 재구성 손실), `kl_loss`(`call()`이 `add_loss()`로 더한 손실,
    이 모델에서는 `kl_weight`를 곱한 KL 항). `validation_data`를 주면 `val_`이 붙은 같은
    이름으로도 보고합니다. 추적기(tracker)는 `compute_loss()`에서 갱신하므로 어느
    백엔드에서나 같고, TensorFlow 백엔드에서는 `train_step()`/`test_step()`이 한 배치의
    훈련·평가를 `tf.GradientTape`로 직접 적습니다. 목표 `y`를 주지 않으면(`fit(x)`) 입력
    자신이 목표입니다.

    Args:
        original_dim: 입력(과 출력) 벡터의 길이 (양의 정수). Fashion-MNIST는 784.
        intermediate_dim: 인코더와 디코더 은닉층의 유닛 수 (양의 정수).
        latent_dim: 잠재 공간의 차원 (양의 정수).
        kl_weight: KL 손실에 곱할 0 이상의 수. 1보다 크게 하면 잠재 공간이 더
            표준정규분포에 가까워지는 대신 재구성이 흐려집니다 (β-VAE).
        seed: 인코더의 `Sampling` 층에 넘길 난수 시드(정수) 또는 `None`.
        **kwargs: `name`, `dtype` 같은 기반 `Model`의 인자.

    Call arguments:
        inputs: `(batch_size, original_dim)` 모양의 텐서 (0–1로 정규화한 값).
        training: 받기만 하고 쓰지 않습니다. 모델은 훈련과 추론에서 똑같이 동작합니다
            (추론에서도 `z`를 뽑습니다). 이 인자가 있어서 `call()`을 직접 부르는
            `stateless_call(..., training=True)`로도 부를 수 있습니다.

    Input shape:
        `(batch_size, original_dim)`.

    Output shape:
        `(batch_size, original_dim)`.

    Returns:
        0과 1 사이 값을 가진 재구성 텐서.

    Example:

    >>> vae = VariationalAutoEncoder(original_dim=784, latent_dim=2, seed=0)
    >>> vae.compile(optimizer="adam", loss="mse")
    >>> history = vae.fit(x_train, x_train, epochs=2, batch_size=64)  # doctest: +SKIP
    """

    def __init__(
        self,
        original_dim=784,
        intermediate_dim=64,
        latent_dim=32,
        kl_weight=1.0,
        seed=None,
        **kwargs,
    ):
        original_dim = check_positive_int("original_dim", original_dim)
        intermediate_dim = check_positive_int("intermediate_dim", intermediate_dim)
        latent_dim = check_positive_int("latent_dim", latent_dim)
        kl_weight = check_real("kl_weight", kl_weight, minimum=0.0)
        seed = check_seed(seed)
        super().__init__(**kwargs)
        self.original_dim = original_dim
        self.intermediate_dim = intermediate_dim
        self.latent_dim = latent_dim
        self.kl_weight = kl_weight
        self.seed = seed
        policy = self.dtype_policy
        self.encoder = Encoder(
            latent_dim=latent_dim,
            intermediate_dim=intermediate_dim,
            seed=seed,
            name="encoder",
            dtype=policy,
        )
        self.decoder = Decoder(
            original_dim=original_dim,
            intermediate_dim=intermediate_dim,
            name="decoder",
            dtype=policy,
        )
        # 에포크마다 평균을 내는 손실 추적기. `metrics` 속성에 넣어야 fit()이 에포크를
        # 시작할 때마다 reset_state()를 부르고 로그에 이름대로 보고합니다.
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 2 or input_shape[-1] != self.original_dim:
            raise ValueError(
                f"{self.__class__.__name__}의 입력은 (batch_size, {self.original_dim}) 모양이어야 "
                f"합니다 (original_dim={self.original_dim}). 받은 모양: {input_shape}"
            )
        self.encoder.build(input_shape)
        self.decoder.build((input_shape[0], self.latent_dim))

    def build_from_config(self, config):
        # keras.Model의 build_from_config()는 build()의 오류를 경고로 바꾸고 모델을 짓지 않은
        # 채 두므로, 설정이 망가진 .keras 파일이 저장된 가중치 없이 조용히 불러와집니다.
        # 층(Layer)의 구현을 써서 오류를 그대로 알립니다.
        keras.layers.Layer.build_from_config(self, config)

    def call(self, inputs, training=None):
        z_mean, z_log_var, z = self.encoder(inputs)
        reconstructed = self.decoder(z)
        # The KL term is computed in the variable dtype (float32 under mixed_float16):
        # exp() of a float16 log-variance overflows long before training diverges.
        kl_loss = kl_divergence_to_standard_normal(z_mean, z_log_var, self.variable_dtype)
        self.add_loss(self.kl_weight * kl_loss)
        return reconstructed

    @property
    def metrics(self):
        # fit()/evaluate()가 에포크(와 평가)마다 초기화하고 로그에 담는 지표 목록.
        return [self.loss_tracker, self.reconstruction_loss_tracker, self.kl_loss_tracker]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """전체 손실(재구성 + KL)을 돌려주고 손실 추적기 세 개를 갱신합니다.

        `y`가 `None`이면(`fit(x)`) 입력 `x`를 목표로 씁니다. 전체 손실은 기반 클래스의
        `compute_loss()`, 곧 `compile(loss=...)`의 손실과 `self.losses`(`call()`이 더한
        KL 항)의 합입니다. 모든 백엔드의 `train_step()`/`test_step()`이 이 메서드를
        부르므로 추적기를 여기서 갱신합니다.
        """
        if y is None:
            y = x
        total_loss = super().compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training
        )
        # call()이 add_loss()로 더한 손실 (이 모델에서는 kl_weight를 곱한 KL 항).
        kl_loss = ops.zeros((), dtype=total_loss.dtype)
        for added_loss in self.losses:
            kl_loss = kl_loss + ops.cast(added_loss, total_loss.dtype)
        # 배치 크기만큼의 가중치: 작은 마지막 배치는 에포크 평균에서 그만큼 덜 셉니다.
        batch_size = ops.shape(x)[0]
        self.loss_tracker.update_state(total_loss, sample_weight=batch_size)
        self.reconstruction_loss_tracker.update_state(
            total_loss - kl_loss, sample_weight=batch_size
        )
        self.kl_loss_tracker.update_state(kl_loss, sample_weight=batch_size)
        return total_loss

    def train_step(self, *args, **kwargs):
        """한 배치의 훈련: 백엔드마다 그 백엔드의 방식으로 적은 단계를 부릅니다.

        TensorFlow와 PyTorch의 `fit()`은 `train_step(data)`를 부르고 로그 딕셔너리를 받습니다.
        JAX의 `fit()`은 `train_step(state, data)`를 부르고 `(로그, 새 상태)`를 받습니다.
        """
        backend = keras.backend.backend()
        if backend == "tensorflow":
            return self._tensorflow_train_step(*args, **kwargs)
        if backend == "jax":
            return self._jax_train_step(*args, **kwargs)
        if backend == "torch":
            return self._torch_train_step(*args, **kwargs)
        return super().train_step(*args, **kwargs)

    def test_step(self, *args, **kwargs):
        """한 배치의 평가: `evaluate()`와 `fit(validation_data=...)`의 `val_` 손실."""
        if keras.backend.backend() == "jax":
            return self._jax_test_step(*args, **kwargs)
        if keras.backend.backend() not in ("tensorflow", "torch"):
            return super().test_step(*args, **kwargs)
        (data,) = args
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        reconstruction = self(x, training=False)
        self.compute_loss(
            x=x, y=y, y_pred=reconstruction, sample_weight=sample_weight, training=False
        )
        return {metric.name: metric.result() for metric in self.metrics}

    def _tensorflow_train_step(self, data):
        """TensorFlow: `tf.GradientTape`가 정방향 계산을 기록하고 경사를 돌려줍니다."""
        import tensorflow as tf

        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            reconstruction = self(x, training=True)
            loss = self.compute_loss(
                x=x, y=y, y_pred=reconstruction, sample_weight=sample_weight, training=True
            )
            # mixed_float16에서 compile()이 감싼 LossScaleOptimizer가 손실을 키워 둡니다
            # (float16 경사가 0으로 사라지지 않게). 다른 옵티마이저에서는 그대로입니다.
            scaled_loss = self.optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, self.trainable_weights)
        self.optimizer.apply(gradients, self.trainable_weights)
        return {metric.name: metric.result() for metric in self.metrics}

    def _torch_train_step(self, data):
        """PyTorch: `loss.backward()`가 가중치마다 `.grad`에 경사를 쌓습니다."""
        import torch

        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        # backward()는 경사를 덮어쓰지 않고 더하므로, 지난 배치의 경사를 먼저 지웁니다.
        self.zero_grad()
        reconstruction = self(x, training=True)
        loss = self.compute_loss(
            x=x, y=y, y_pred=reconstruction, sample_weight=sample_weight, training=True
        )
        self.optimizer.scale_loss(loss).backward()
        gradients = [weight.value.grad for weight in self.trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, self.trainable_weights)
        return {metric.name: metric.result() for metric in self.metrics}

    def _jax_train_step(self, state, data):
        """JAX: 상태를 인자로 받고 새 상태를 돌려주는 순수 함수 (`jax.jit`으로 컴파일됩니다)."""
        import jax

        trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = state
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        grad_fn = jax.value_and_grad(self._jax_loss_and_updates, has_aux=True)
        (_, (non_trainable_variables, metrics_variables)), gradients = grad_fn(
            trainable_variables,
            non_trainable_variables,
            metrics_variables,
            optimizer_variables,
            x,
            y,
            sample_weight,
            training=True,
        )
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, gradients, trainable_variables
        )
        state = (
            trainable_variables,
            non_trainable_variables,
            optimizer_variables,
            metrics_variables,
        )
        return self._jax_logs(metrics_variables), state

    def _jax_test_step(self, state, data):
        trainable_variables, non_trainable_variables, metrics_variables = state
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        _, (non_trainable_variables, metrics_variables) = self._jax_loss_and_updates(
            trainable_variables,
            non_trainable_variables,
            metrics_variables,
            None,
            x,
            y,
            sample_weight,
            training=False,
        )
        state = (trainable_variables, non_trainable_variables, metrics_variables)
        return self._jax_logs(metrics_variables), state

    def _jax_loss_and_updates(
        self,
        trainable_variables,
        non_trainable_variables,
        metrics_variables,
        optimizer_variables,
        x,
        y,
        sample_weight,
        training,
    ):
        """JAX: 주어진 변수 값으로 손실을 계산하고, 바뀐 변수 값을 돌려줍니다.

        `stateless_call()`처럼 변수를 주어진 값으로 바꿔 읽는 `StatelessScope` 안에서
        모델을 부르고 `compute_loss()`를 부릅니다. `collect_losses=True`여야 `call()`이
        `add_loss()`로 더한 KL 항이 `self.losses`에 모입니다. 샘플링 층의 난수 상태
        (훈련 불가능 변수)와 손실 추적기의 새 값은 변수에 쓰이지 않고 돌려받습니다.
        """
        mapping = [
            *zip(self.trainable_variables, trainable_variables, strict=True),
            *zip(self.non_trainable_variables, non_trainable_variables, strict=True),
            *zip(self.metrics_variables, metrics_variables, strict=True),
        ]
        if optimizer_variables is not None:
            mapping += zip(self.optimizer.variables, optimizer_variables, strict=True)
        with keras.StatelessScope(state_mapping=mapping, collect_losses=True) as scope:
            reconstruction = self(x, training=training)
            loss = self.compute_loss(
                x=x, y=y, y_pred=reconstruction, sample_weight=sample_weight, training=training
            )
            if optimizer_variables is not None:
                loss = self.optimizer.scale_loss(loss)
        non_trainable_variables = [scope.get_current_value(v) for v in self.non_trainable_variables]
        metrics_variables = [scope.get_current_value(v) for v in self.metrics_variables]
        return loss, (non_trainable_variables, metrics_variables)

    def _jax_logs(self, metrics_variables):
        logs, start = {}, 0
        for metric in self.metrics:
            end = start + len(metric.variables)
            logs[metric.name] = metric.stateless_result(metrics_variables[start:end])
            start = end
        return logs

    def get_config(self):
        return {
            **super().get_config(),
            "original_dim": self.original_dim,
            "intermediate_dim": self.intermediate_dim,
            "latent_dim": self.latent_dim,
            "kl_weight": self.kl_weight,
            "seed": self.seed,
        }
