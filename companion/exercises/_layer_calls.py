"""채점기가 독자의 층을 호출할 때 함께 쓰는 작은 도구."""

import re

import keras

# TensorFlow 즉시 실행 오류 메시지의 앞뒤에 붙는 내부 정보 (연산 그래프 노드 이름, 연산 이름).
_TF_NOISE = re.compile(r"\{\{function_node [^}]*\}\}\s*|\s*\[Op:[^\]]*\].*$", re.DOTALL)


def call_layer(layer, x):
    """독자의 층을 `x`로 호출하고 출력을 NumPy 배열로 돌려줍니다.

    채점 보고서는 예외 메시지의 첫 줄만 보여 주므로, 독자에게 쓸모 있는 내용이 첫 줄에
    오도록 예외를 다듬어 다시 던집니다. Keras가 `call()`의 예외를 "Exception encountered
    when calling ..."으로 감싼 경우에는 원래 예외를, TensorFlow 연산 오류에는 내부 노드
    이름을 뺀 메시지를 씁니다 (예외 클래스 이름은 그대로 보입니다).

    Args:
        layer: 독자가 만든 층 인스턴스.
        x: 입력 배열.

    Returns:
        층 출력의 NumPy 배열.
    """
    try:
        return keras.ops.convert_to_numpy(layer(x))
    except Exception as error:
        original = error
        if getattr(error, "_keras_call_info_injected", False) and isinstance(
            error.__context__, Exception
        ):
            original = error.__context__
        message = str(original)
        cleaned = _TF_NOISE.sub("", message)
        if cleaned != message:
            renamed = type(type(original).__name__, (RuntimeError,), {})
            raise renamed(cleaned) from original
        if original is not error:
            raise original from None
        raise
