"""직접 쓴 훈련 루프(training loop): 백엔드마다 그 백엔드의 방식으로 경사를 구합니다.

`fit()`이 안에서 하는 일을 손으로 풀어 쓴 것입니다. 훈련 단계(train step)는 백엔드마다
따로 적습니다. TensorFlow는 `tf.GradientTape`로 경사를 구하고 단계를 `tf.function`으로
컴파일하며, `fit(steps_per_execution=...)`처럼 한 번의 호출에서 여러 단계를 돌려 단계마다
드는 파이썬 부담을 줄입니다. JAX는 `stateless_call()`과 `jax.value_and_grad`로 상태를 인자로
주고받는 순수 함수를 `jax.jit`으로 컴파일하고, PyTorch는 `loss.backward()`로 경사를 쌓아
`optimizer.apply()`로 가중치를 고칩니다. 에포크마다 `keras.metrics.Mean`으로 평균 손실을
모으며 `keras.utils.Progbar`로 진행 막대를 보여 줍니다. 속도를 재고 비교하는 이야기는
10장에 있습니다.
"""

import inspect

import keras
from keras import ops

from companion._validation import check_positive_int, is_int, is_positive_int, require_module

_VERBOSE_VALUES = (0, 1, 2)

#: 컴파일된 함수 한 번의 호출에서 돌릴 기본 훈련 단계 수 (10장에서 잰 값).
DEFAULT_STEPS_PER_EXECUTION = 32


def train_custom_loop(
    model,
    dataset,
    optimizer,
    loss_fn,
    epochs=1,
    verbose=1,
    steps_per_execution=DEFAULT_STEPS_PER_EXECUTION,
):
    """직접 쓴 훈련 루프로 모델을 훈련합니다 (TensorFlow, JAX, PyTorch 백엔드).

    배치마다 다음 훈련 단계를 실행합니다.

    1. 훈련 모드(`training=True`)로 모델을 불러 예측하고,
    2. 손실 = `loss_fn(y, 예측)`의 평균 + `sum(model.losses)` (모델이 `add_loss()`로
       더한 KL 손실, 정칙화 손실(regularization loss) 등),
    3. 훈련 가능한 가중치에 대한 경사를 구해 `optimizer`로 가중치를 고치고,
    4. `keras.metrics.Mean` 지표(metric)에 손실을 배치 크기만큼의 가중치로 더합니다
       (그래서 에포크 손실은 `fit()`이 보고하는 값과 같은 샘플 평균입니다).

    경사를 구하는 방법은 백엔드마다 다릅니다.

    - TensorFlow: `tf.GradientTape`. 단계는 `tf.function`으로 컴파일되고, 한 번의 호출이
      `tf.while_loop` 안에서 배치 `steps_per_execution`개를 차례로 처리합니다
      (`fit(steps_per_execution=...)`과 같은 방식). 결과는 배치마다 한 번씩 호출할 때와
      똑같고, 파이썬과 그래프 사이를 오가는 횟수만 줄어듭니다.
    - JAX: `model.stateless_call()`로 변수 값을 인자로 넘겨 예측하고 `jax.value_and_grad`로
      경사를 구해 `optimizer.stateless_apply()`로 새 변수 값을 받습니다. 단계 전체를
      `jax.jit`으로 컴파일하고, 에포크가 끝나면 새 값을 모델의 변수에 씁니다.
    - PyTorch: `model.zero_grad()`로 지난 경사를 지우고 `loss.backward()`로 경사를 구해
      `optimizer.apply()`로 가중치를 고칩니다 (즉시 실행).

    JAX와 PyTorch에서는 배치마다 단계를 한 번씩 부르고, `steps_per_execution`은 진행
    막대를 고쳐 그리는 간격만 정합니다.

    데이터셋의 원소(배치)는 두 가지 모양 중 하나입니다.

    - 텐서 하나 `x`: 목표도 `x`입니다. 입력을 그대로 재구성하는 오토인코더용입니다.
    - 튜플 `(x, y)`: 목표가 `y`입니다. `fit(x, y)`와 같습니다.

    혼합 정밀도(mixed precision)의 손실 스케일링은 하지 않습니다. 그런 기능이
    필요하면 `fit()`을 쓰세요.

    Args:
        model: 훈련할 `keras.Model`.
        dataset: 배치로 나뉜 `tf.data.Dataset` (위의 두 모양 중 하나). 끝이 있어야
            합니다 (`repeat()`로 무한히 반복하는 데이터셋은 받지 않습니다). JAX와
            PyTorch 백엔드에서는 배치를 NumPy 배열로 꺼내 씁니다.
        optimizer: `keras.optimizers.Optimizer` 객체 (예: `keras.optimizers.Adam()`).
        loss_fn: `loss_fn(y_true, y_pred)`로 부르는 손실 함수 또는 `keras.losses.Loss`
            객체, 또는 `"mse"` 같은 손실 이름.
        epochs: 데이터셋 전체를 몇 번 돌지 (양의 정수).
        verbose: 0이면 아무것도 출력하지 않고, 1이면 에포크마다 진행 막대를, 2이면
            에포크가 끝날 때 한 줄씩 출력합니다 (`fit()`과 같습니다). 진행 막대는
            `steps_per_execution`개의 배치마다 한 번 고쳐 그립니다.
        steps_per_execution: 컴파일된 함수 한 번의 호출에서 처리할 배치 수 (양의 정수).
            1이면 배치마다 파이썬으로 돌아옵니다.

    Returns:
        `{"loss": [에포크별 평균 손실, ...]}` 딕셔너리 (`fit()`이 돌려주는
        `History.history`와 같은 모양).

    Raises:
        RuntimeError: 백엔드가 TensorFlow, JAX, PyTorch가 아닐 때.
        TypeError: `model`, `dataset`, `optimizer`, `loss_fn`의 종류가 틀렸을 때.
        ValueError: `epochs`, `verbose`, `steps_per_execution`이 올바르지 않거나
            데이터셋이 무한하거나
            비어 있거나 원소의 모양이 위의 두 가지가 아닐 때.

    Example:

    >>> dataset = tf.data.Dataset.from_tensor_slices(x_train).batch(64)  # doctest: +SKIP
    >>> history = train_custom_loop(
    ...     vae, dataset, keras.optimizers.Adam(1e-3), keras.losses.MeanSquaredError(), epochs=2
    ... )  # doctest: +SKIP
    >>> history["loss"]  # doctest: +SKIP
    [0.0603..., 0.0415...]
    """
    backend = keras.backend.backend()
    if backend not in ("tensorflow", "jax", "torch"):
        raise RuntimeError(
            "train_custom_loop()는 TensorFlow, JAX, PyTorch 백엔드에서 동작합니다. "
            f"지금 백엔드: {backend!r}"
        )
    tf = require_module("tensorflow", "tensorflow", "train_custom_loop()의 tf.data.Dataset")

    if not isinstance(model, keras.Model):
        raise TypeError(f"model은 keras.Model이어야 합니다. 받은 값: model={model!r}")
    if not isinstance(dataset, tf.data.Dataset):
        raise TypeError(
            "dataset은 배치로 나뉜 tf.data.Dataset이어야 합니다 "
            "(예: tf.data.Dataset.from_tensor_slices(x).batch(64)). "
            f"받은 값: dataset의 자료형 {type(dataset).__name__}"
        )
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(
            "optimizer는 keras.optimizers.Optimizer 객체여야 합니다 "
            f"(예: keras.optimizers.Adam()). 받은 값: optimizer={optimizer!r}"
        )
    if isinstance(loss_fn, str):
        loss_fn = keras.losses.get(loss_fn)
    if not callable(loss_fn):
        raise TypeError(
            f"loss_fn은 호출할 수 있는 손실 함수여야 합니다. 받은 값: loss_fn={loss_fn!r}"
        )
    epochs = check_positive_int("epochs", epochs)
    if not is_int(verbose) or verbose not in _VERBOSE_VALUES:
        raise ValueError(
            f"verbose는 {_VERBOSE_VALUES} 중 하나여야 합니다. 받은 값: verbose={verbose!r}"
        )
    verbose = int(verbose)
    if not is_positive_int(steps_per_execution):
        raise ValueError(
            "steps_per_execution은 양의 정수여야 합니다. "
            f"받은 값: steps_per_execution={steps_per_execution!r}"
        )
    steps_per_execution = int(steps_per_execution)
    cardinality = int(dataset.cardinality())
    if cardinality == tf.data.INFINITE_CARDINALITY:
        raise ValueError(
            "dataset이 끝없이 반복됩니다 (repeat()). 에포크마다 한 번씩 끝나는 데이터셋을 "
            "넘기세요. 받은 값: dataset.cardinality()=무한"
        )
    split_batch = _batch_splitter(dataset.element_spec)
    # Reads the next batches while the current ones train; does not change their order.
    dataset = dataset.prefetch(tf.data.AUTOTUNE)
    if backend != "tensorflow":
        return _train_stepwise(
            model, dataset, optimizer, loss_fn, epochs, verbose, steps_per_execution, split_batch
        )

    # Like fit(), which keeps `model.train_function`, the compiled functions are kept on the
    # model: calling this again (one epoch at a time, say) reuses them instead of tracing anew.
    # Set through object.__setattr__ so Keras does not track the cache as model state.
    cache = model.__dict__.get("_companion_train_functions")
    if cache is None:
        cache = {}
        object.__setattr__(model, "_companion_train_functions", cache)
    key = (optimizer, loss_fn, steps_per_execution, dataset.element_spec)
    if key not in cache:
        loss_tracker = keras.metrics.Mean(name="loss")

        def train_step(x, y):
            with tf.GradientTape() as tape:
                y_pred = model(x, training=True)
                loss = ops.mean(loss_fn(y, y_pred))
                if model.losses:
                    loss = loss + ops.sum(model.losses)
            gradients = tape.gradient(loss, model.trainable_weights)
            optimizer.apply_gradients(zip(gradients, model.trainable_weights, strict=True))
            # Weighted by batch size, as fit() does, so a smaller last batch counts for less.
            loss_tracker.update_state(loss, sample_weight=ops.shape(x)[0])

        # The very first batch runs on its own: the model and the optimizer may still have to
        # create their weights, and TensorFlow forbids creating variables inside a while loop.
        # Traced with the dataset's element_spec (batch size None), so no second trace is needed.
        @tf.function(input_signature=[dataset.element_spec])
        def first_step(batch):
            train_step(*split_batch(batch))

        # One call runs up to `steps_per_execution` batches and returns how many it ran
        # (fewer at the end of the epoch, 0 once the iterator is exhausted). Traced once:
        # every epoch's iterator has the same element_spec.
        @tf.function
        def train_chunk(iterator):
            def has_work(step, exhausted):
                return tf.logical_and(step < steps_per_execution, tf.logical_not(exhausted))

            def one_step(step, exhausted):
                # Fetched only when another step is due, so no batch is drawn and dropped.
                optional = iterator.get_next_as_optional()
                has_value = optional.has_value()

                def run():
                    train_step(*split_batch(optional.get_value()))
                    return tf.constant(1)

                ran = tf.cond(has_value, run, lambda: tf.constant(0))
                return step + ran, tf.logical_not(has_value)

            steps, _ = tf.while_loop(has_work, one_step, (tf.constant(0), tf.constant(False)))
            return steps

        cache[key] = {
            "first_step": first_step,
            "train_chunk": train_chunk,
            "loss_tracker": loss_tracker,
            "variables_ready": False,
        }
    functions = cache[key]
    first_step, train_chunk = functions["first_step"], functions["train_chunk"]
    loss_tracker = functions["loss_tracker"]

    history = {"loss": []}
    for epoch in range(epochs):
        progbar = _start_epoch(epoch, epochs, cardinality, verbose, loss_tracker)
        iterator = iter(dataset)
        step = 0
        if not functions["variables_ready"]:
            batch = next(iterator, None)
            if batch is not None:
                first_step(batch)
                functions["variables_ready"] = True
                step = 1
        if verbose and step:
            progbar.update(step, values=[("loss", loss_tracker.result())])
        while True:
            ran = int(train_chunk(iterator))
            if ran == 0:
                break
            step += ran
            # Reading the metric is one more round trip to the runtime: skipped when silent.
            if verbose:
                progbar.update(step, values=[("loss", loss_tracker.result())])
            if ran < steps_per_execution:
                break
        if step == 0:
            raise ValueError("dataset에 배치가 하나도 없습니다. 받은 값: 빈 데이터셋")
        if verbose and progbar.target is None:
            progbar.update(step, values=[("loss", loss_tracker.result())], finalize=True)
        history["loss"].append(float(loss_tracker.result()))
    return history


def _start_epoch(epoch, epochs, cardinality, verbose, loss_tracker):
    """에포크 머리말을 찍고, 지표를 비우고, 이 에포크의 진행 막대를 돌려줍니다 (fit()처럼)."""
    if verbose:
        print(f"에포크 {epoch + 1}/{epochs}")
    loss_tracker.reset_state()
    target = cardinality if cardinality >= 0 else None
    return keras.utils.Progbar(target, verbose=verbose, stateful_metrics=["loss"])


def _train_stepwise(model, dataset, optimizer, loss_fn, epochs, verbose, refresh, split_batch):
    """JAX와 PyTorch의 루프: 배치마다 그 백엔드의 훈련 단계를 한 번씩 부릅니다."""
    cardinality = int(dataset.cardinality())
    # As on TensorFlow, the step (JAX: its compiled function) is kept on the model, so that
    # calling again (one epoch at a time, say) continues without compiling anew.
    cache = model.__dict__.get("_companion_train_functions")
    if cache is None:
        cache = {}
        object.__setattr__(model, "_companion_train_functions", cache)
    key = (optimizer, loss_fn)
    if key not in cache:
        cache[key] = {"loss_tracker": keras.metrics.Mean(name="loss"), "train_step": None}
    functions = cache[key]
    loss_tracker = functions["loss_tracker"]
    make_step = _jax_train_step if keras.backend.backend() == "jax" else _torch_train_step
    train_step = functions["train_step"]
    history = {"loss": []}
    for epoch in range(epochs):
        progbar = _start_epoch(epoch, epochs, cardinality, verbose, loss_tracker)
        step = 0
        for batch in dataset.as_numpy_iterator():
            x, y = split_batch(batch)
            if train_step is None:
                _build_for(model, optimizer, x)
                train_step = make_step(model, optimizer, loss_fn, loss_tracker)
                functions["train_step"] = train_step
            train_step(x, y)
            step += 1
            if verbose and step % refresh == 0:
                progbar.update(step, values=[("loss", _epoch_loss(train_step, loss_tracker))])
        if step == 0:
            raise ValueError("dataset에 배치가 하나도 없습니다. 받은 값: 빈 데이터셋")
        epoch_loss = _epoch_loss(train_step, loss_tracker)
        if verbose:
            progbar.update(step, values=[("loss", epoch_loss)], finalize=True)
        history["loss"].append(epoch_loss)
    return history


def _build_for(model, optimizer, x):
    """fit()처럼 첫 배치 전에 모델과 옵티마이저의 변수를 만듭니다.

    모델은 심볼릭 텐서로 불러 짓습니다: 실제 값으로 부르면 샘플링 층의 난수 상태가
    한 번 앞서 나가 `fit()`과 다른 잡음을 뽑게 됩니다.
    """
    if not model.built:
        model(keras.KerasTensor((None, *x.shape[1:]), dtype=str(x.dtype)))
    if not optimizer.built:
        optimizer.build(model.trainable_variables)


def _epoch_loss(train_step, loss_tracker):
    sync = getattr(train_step, "sync", None)
    if sync is not None:
        sync()  # JAX: the new values live in the step's state until written back
    return float(ops.convert_to_numpy(loss_tracker.result()))


def _calls_with_training(model):
    parameters = inspect.signature(model.call).parameters.values()
    return any(p.name == "training" or p.kind is p.VAR_KEYWORD for p in parameters)


def _torch_train_step(model, optimizer, loss_fn, loss_tracker):
    """PyTorch: `loss.backward()`가 구한 경사로 `optimizer.apply()`가 가중치를 고칩니다."""
    import torch

    kwargs = {"training": True} if _calls_with_training(model) else {}

    def train_step(x, y):
        # backward() adds to .grad: the previous batch's gradients must go first.
        model.zero_grad()
        y_pred = model(x, **kwargs)
        loss = ops.mean(loss_fn(y, y_pred))
        if model.losses:
            loss = loss + ops.sum(model.losses)
        loss.backward()
        gradients = [weight.value.grad for weight in model.trainable_weights]
        with torch.no_grad():
            optimizer.apply(gradients, model.trainable_weights)
        loss_tracker.update_state(loss.detach(), sample_weight=ops.shape(x)[0])

    return train_step


def _jax_train_step(model, optimizer, loss_fn, loss_tracker):
    """JAX: 변수 값(상태)을 인자로 받고 새 상태를 돌려주는 순수 함수를 `jax.jit`으로 컴파일합니다.

    상태는 파이썬 쪽 `state`에 들고 다니다가, 손실을 읽을 때(`sync()`) 모델·옵티마이저·
    지표의 변수에 씁니다.
    """
    import jax

    kwargs = {"training": True} if _calls_with_training(model) else {}

    def compute_loss(trainable_variables, non_trainable_variables, x, y):
        y_pred, non_trainable_variables, losses = model.stateless_call(
            trainable_variables, non_trainable_variables, x, return_losses=True, **kwargs
        )
        loss = ops.mean(loss_fn(y, y_pred))
        if losses:
            loss = loss + ops.sum(losses)
        # The sampling layers' seed states are non-trainable variables: they move on too.
        return loss, non_trainable_variables

    grad_fn = jax.value_and_grad(compute_loss, has_aux=True)

    @jax.jit
    def jitted_step(state, x, y):
        trainable_variables, non_trainable_variables, optimizer_variables, metric_variables = state
        (loss, non_trainable_variables), gradients = grad_fn(
            trainable_variables, non_trainable_variables, x, y
        )
        trainable_variables, optimizer_variables = optimizer.stateless_apply(
            optimizer_variables, gradients, trainable_variables
        )
        metric_variables = loss_tracker.stateless_update_state(
            metric_variables, loss, sample_weight=x.shape[0]
        )
        return trainable_variables, non_trainable_variables, optimizer_variables, metric_variables

    owners = (
        model.trainable_variables,
        model.non_trainable_variables,
        optimizer.variables,
        loss_tracker.variables,
    )

    def read_state():
        return tuple([variable.value for variable in group] for group in owners)

    holder = {"state": None}

    def train_step(x, y):
        if holder["state"] is None:
            holder["state"] = read_state()
        holder["state"] = jitted_step(holder["state"], x, y)

    def sync():
        if holder["state"] is None:
            return
        for group, values in zip(owners, holder["state"], strict=True):
            for variable, value in zip(group, values, strict=True):
                variable.assign(value)
        holder["state"] = None  # read again next batch: the tracker may have been reset

    train_step.sync = sync
    return train_step


def _batch_splitter(element_spec):
    """데이터셋 원소의 구조를 보고 배치를 `(x, y)`로 나누는 함수를 돌려줍니다."""
    if isinstance(element_spec, tuple):
        if len(element_spec) == 1:
            return lambda batch: (batch[0], batch[0])
        if len(element_spec) == 2:
            return lambda batch: batch
        raise ValueError(
            "dataset의 원소는 x 하나이거나 (x, y) 튜플이어야 합니다. "
            f"받은 값: 원소 {len(element_spec)}개짜리 튜플"
        )
    if isinstance(element_spec, (list, dict)):
        raise ValueError(
            "dataset의 원소는 x 하나이거나 (x, y) 튜플이어야 합니다. "
            f"받은 값: {type(element_spec).__name__} 구조의 원소"
        )
    return lambda batch: (batch, batch)
