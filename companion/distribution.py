"""`keras.distribution`으로 나눈 가중치를 확인하고 보여 주는 도구.

- `check_layout_map(layout_map, model, must_shard=())`: `LayoutMap`의 키마다 맞는 변수 경로가
  있는지, 나누라고 한 변수가 정말 나뉘었는지 확인하고, 아니면 키나 경로를 밝히는
  `ValueError`를 냅니다. Keras 3.14부터 `LayoutMap`은 키를 경로 **전체**와 맞춰 보므로
  (`re.fullmatch`), 경로의 일부만 적은 키는 아무 변수에도 맞지 않고, 그 변수는 경고 없이 모든
  장치에 복제됩니다.
- `device_shards(variable)`, `shard_table(variables)`, `bytes_per_device(variables)`: 변수의
  조각이 어느 장치에 어떤 모양으로 있는지.
- `ring_all_reduce_bytes(num_bytes, num_devices)`와 `collectives(hlo_text)`: 한 단계에 장치
  사이로 오가는 바이트를 모양으로 계산한 값과, XLA가 컴파일한 프로그램에 든 통신 연산.

JAX 밖의 백엔드에서도 불러 쓸 수 있습니다: 거기서는 변수 값에 샤딩 정보가 없으므로 변수
전체가 한 장치에 있는 것으로 보이고, 나누라고 한 변수는 "나뉘지 않았다"는 오류가 납니다
(Keras 3.15에서 `keras.distribution`으로 변수를 나누는 백엔드는 JAX뿐입니다).
"""

import math
import re

import keras
import numpy as np

# HLO 한 줄: `%name = f32[8,16]{1,0} all-reduce(...)` 또는 튜플 모양 `(f32[..], f32[..])`.
_COLLECTIVE = re.compile(
    r"=\s*(?P<shape>\([^()]*\)|\w+\[[\d,]*\](?:\{[^}]*\})?)\s+"
    r"(?P<op>all-reduce|all-gather|reduce-scatter|all-to-all|collective-permute)(?:-start)?\("
)
_ARRAY = re.compile(r"(?P<dtype>[a-z]+\d*)\[(?P<dims>[\d,]*)\]")
_GROUPS = re.compile(r"replica_groups=\{(?P<groups>\{[\d,]*\}(?:,\{[\d,]*\})*)\}")
_IOTA_GROUPS = re.compile(r"replica_groups=\[(?P<count>\d+),(?P<size>\d+)\]")
# Newer XLA: `replica_groups=mesh['axis_0'=2,'axis_1'=4] {'axis_1'}` (the axes that communicate).
_MESH_GROUPS = re.compile(r"replica_groups=mesh\[(?P<axes>[^\]]*)\]\s*\{(?P<names>[^}]*)\}")
_MESH_AXIS = re.compile(r"'(?P<name>[^']+)'=(?P<size>\d+)")
_ITEMSIZE = {"pred": 1, "s8": 1, "u8": 1, "bf16": 2, "f16": 2, "s16": 2, "u16": 2}


def _variables_of(target, argument="model"):
    if isinstance(target, keras.layers.Layer):
        return list(target.variables)
    if isinstance(target, keras.Variable):
        return [target]
    if isinstance(target, (list, tuple)) and all(isinstance(v, keras.Variable) for v in target):
        return list(target)
    raise TypeError(
        f"{argument}에는 Keras 층·모델이나 keras.Variable의 리스트를 넘기세요. "
        f"받은 값: {argument}={target!r}"
    )


def _device_name(device):
    """JAX, TensorFlow, PyTorch의 장치를 Keras가 쓰는 `"cpu:0"` 꼴 이름으로."""
    if hasattr(device, "platform") and hasattr(device, "id"):  # JAX
        return f"{device.platform}:{device.id}"
    text = str(device)
    match = re.search(r"device:([A-Za-z]+):(\d+)$", text)  # TensorFlow
    if match:
        return f"{match.group(1).lower()}:{match.group(2)}"
    if hasattr(device, "type"):  # PyTorch
        return f"{device.type}:{device.index or 0}"
    return text.lower() or "cpu:0"


def _slice_text(index, shape):
    parts = []
    for piece, size in zip(index, shape, strict=True):
        start, stop, _ = piece.indices(size)
        parts.append(":" if (start, stop) == (0, size) else f"{start}:{stop}")
    return "[" + ", ".join(parts) + "]"


def device_shards(variable):
    """변수의 조각마다 `(장치 이름, 조각 모양, 전체에서 차지하는 자리)`를 돌려줍니다.

    JAX에서 나뉜 변수는 장치마다 한 조각이 있고, 복제된 변수는 장치마다 전체가 있습니다.
    `tf.distribute.MirroredStrategy` 안에서 만든 변수는 복제본 장치마다 전체 사본이 있습니다.
    그 밖의 TensorFlow·PyTorch 변수는 변수가 있는 장치 하나의 전체입니다.

    Args:
        variable: `keras.Variable`.

    Returns:
        장치 번호 순서의 `(device, shape, index)` 튜플 리스트. `index`는 `"[:, 8:16]"`처럼
        조각이 전체 배열의 어느 부분인지 적은 글자입니다.

    Raises:
        TypeError: `variable`이 `keras.Variable`이 아닐 때.
    """
    if not isinstance(variable, keras.Variable):
        raise TypeError(f"variable에는 keras.Variable을 넘기세요. 받은 값: variable={variable!r}")
    value = variable.value
    shape = tuple(variable.shape)
    shards = getattr(value, "addressable_shards", None)
    copies = getattr(value, "values", None)  # tf.distribute의 MirroredVariable: 장치마다 사본
    if shards is None and isinstance(copies, tuple) and copies:
        rows = [
            (_device_name(c.device), shape, _slice_text((slice(None),) * len(shape), shape))
            for c in copies
        ]
        return sorted(rows, key=lambda row: _device_order(row[0]))
    if shards is None:
        device = getattr(value, "device", "cpu:0")
        return [(_device_name(device), shape, _slice_text((slice(None),) * len(shape), shape))]
    rows = [
        (_device_name(s.device), tuple(s.data.shape), _slice_text(s.index, shape)) for s in shards
    ]
    return sorted(rows, key=lambda row: _device_order(row[0]))


def _device_order(name):
    kind, _, number = name.partition(":")
    return (kind, int(number) if number.isdigit() else 0)


def is_sharded(variable):
    """변수의 조각 하나가 변수 전체보다 작으면(장치마다 일부만 가지면) `True`."""
    return any(shape != tuple(variable.shape) for _, shape, _ in device_shards(variable))


def _partition_spec(variable):
    sharding = getattr(variable.value, "sharding", None)
    spec = getattr(sharding, "spec", None)
    if spec is None:
        return None
    axes = tuple(spec) + (None,) * (len(variable.shape) - len(tuple(spec)))
    return tuple(axis if axis is None or isinstance(axis, str) else tuple(axis) for axis in axes)


def shard_table(variables):
    """변수마다 경로, 전체 모양, 나눈 축, 장치마다의 조각을 적은 표(여러 줄 글자)를 만듭니다.

    같은 모양의 조각을 가진 장치가 여럿이면 `장치 8개 × (32, 8)`처럼 줄여 씁니다.

    Args:
        variables: Keras 층·모델, 또는 `keras.Variable`의 리스트.

    Returns:
        `print()`로 보여 줄 표 글자.

    Raises:
        TypeError: `variables`가 층·모델이나 변수 리스트가 아닐 때.
    """
    rows = [("경로", "전체 모양", "나눈 축", "장치마다 조각")]
    for variable in _variables_of(variables, "variables"):
        shards = device_shards(variable)
        shapes = sorted({shape for _, shape, _ in shards})
        pieces = ", ".join(
            f"{sum(1 for _, s, _ in shards if s == shape)}개 × {shape}" for shape in shapes
        )
        spec = _partition_spec(variable)
        axes = "-" if spec is None else str(spec)
        rows.append((variable.path, str(tuple(variable.shape)), axes, f"장치 {pieces}"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    )


def _itemsize(variable):
    return np.dtype(keras.backend.standardize_dtype(variable.dtype)).itemsize


def bytes_per_device(variables):
    """장치마다 변수 조각이 차지하는 바이트 수를 `{장치 이름: 바이트}`로 돌려줍니다.

    Raises:
        TypeError: `variables`가 층·모델이나 변수 리스트가 아닐 때.
    """
    totals = {}
    for variable in _variables_of(variables, "variables"):
        itemsize = _itemsize(variable)
        for device, shape, _ in device_shards(variable):
            totals[device] = totals.get(device, 0) + math.prod(shape) * itemsize
    return dict(sorted(totals.items(), key=lambda item: _device_order(item[0])))


def _layout_axes(layout):
    return tuple(getattr(layout, "axes", layout))


def check_layout_map(layout_map, model, must_shard=()):
    """`LayoutMap`이 모델의 변수에 정말 적용되는지 확인합니다. 아니면 큰 소리로 실패합니다.

    Keras는 맞는 키가 없는 변수를 말없이 모든 장치에 복제합니다. 이 함수는 그 대신:

    1. 키마다 `re.fullmatch`로 맞는 변수 경로가 하나 이상 있는지 봅니다 (Keras 3.14부터
       `LayoutMap`이 그렇게 맞춥니다). 없으면 키의 일부가 들어 있는 경로를 찾아
       `".*" + 키`처럼 고치라고 알려 줍니다.
    2. 나누는 축이 있는 레이아웃(layout)에 맞은 변수가 정말 장치마다 일부만 갖는지 봅니다.
       모델을 분산 설정(`set_distribution`, `distribution.scope()`) 전에 만들었거나, 백엔드가
       변수를 나누지 않으면(JAX 밖의 백엔드) 여기서 실패합니다.
    3. `must_shard`의 경로마다 그 변수가 있고 나뉘었는지 봅니다. 이름 없는 가중치
       (`.../variable`)나 이름 없는 하위 층(`.../dense_3/...`)처럼 키가 빗나간 변수를 잡습니다.

    Args:
        layout_map: `keras.distribution.LayoutMap`.
        model: 이미 빌드된(변수가 만들어진) Keras 층이나 모델.
        must_shard: 반드시 나뉘어 있어야 할 변수 경로(문자열)들.

    Returns:
        `{변수 경로: 레이아웃의 축 튜플}`: 키에 맞은 변수마다, 모델의 변수 순서대로.

    Raises:
        TypeError: `layout_map`이 `LayoutMap`이 아니거나, `model`이 층·모델이 아니거나,
            `must_shard`가 문자열 모음이 아닐 때.
        ValueError: 키가 올바른 정규식이 아니거나 어떤 변수에도 맞지 않을 때, 변수 하나에 키가
            둘 이상 맞을 때, 나누라고 한 변수가 나뉘지 않았을 때, 모델이 아직 빌드되지 않았을
            때, `must_shard`의 경로가 모델에 없을 때.

    Example:

    >>> layout_map["mlp/linear_0/w"] = (None, "model")  # doctest: +SKIP
    >>> check_layout_map(layout_map, model)  # doctest: +SKIP
    {'mlp/linear_0/w': (None, 'model')}
    """
    if not isinstance(layout_map, keras.distribution.LayoutMap):
        raise TypeError(
            "layout_map에는 keras.distribution.LayoutMap을 넘기세요. "
            f"받은 값: layout_map={layout_map!r}"
        )
    if not isinstance(model, keras.layers.Layer):
        raise TypeError(f"model에는 Keras 층이나 모델을 넘기세요. 받은 값: model={model!r}")
    if isinstance(must_shard, str) or not all(isinstance(p, str) for p in must_shard):
        raise TypeError(
            "must_shard에는 변수 경로 문자열의 리스트를 넘기세요 (문자열 하나라면 [경로]). "
            f"받은 값: must_shard={must_shard!r}"
        )
    variables = list(model.variables)
    if not variables:
        raise ValueError(
            f"모델 '{model.name}'에 변수가 없습니다: 모델을 빌드한 뒤(입력으로 한 번 부르거나 "
            "build()를 부른 뒤) 확인하세요."
        )
    paths = [v.path for v in variables]
    for key in layout_map:
        try:
            pattern = re.compile(key)
        except re.error as error:
            raise ValueError(
                f"LayoutMap 키가 올바른 정규식이 아닙니다 ({error}). 받은 값: 키 {key!r}"
            ) from None
        if not any(pattern.fullmatch(path) for path in paths):
            raise ValueError(_unmatched_key_message(key, pattern, paths))

    matched = {}
    for variable in variables:
        keys = [key for key in layout_map if re.fullmatch(key, variable.path)]
        if len(keys) > 1:
            raise ValueError(
                f"변수 '{variable.path}'에 LayoutMap 키가 둘 이상 맞습니다: {keys}. "
                "키 하나만 맞도록 고치세요."
            )
        if not keys:
            continue
        axes = _layout_axes(layout_map[keys[0]])
        matched[variable.path] = axes
        if any(axis is not None for axis in axes) and not is_sharded(variable):
            raise ValueError(_not_sharded_message(variable, f"LayoutMap 키 {keys[0]!r}", axes))

    by_path = dict(zip(paths, variables, strict=True))
    for path in must_shard:
        if path not in by_path:
            raise ValueError(
                f"must_shard의 경로 {path!r}인 변수가 모델에 없습니다. 모델의 변수 경로: "
                f"{_listing(paths)}"
            )
        variable = by_path[path]
        if not is_sharded(variable):
            axes = matched.get(path)
            if axes is None:
                raise ValueError(
                    f"변수 {path!r}는 나뉘어 있어야 하는데(must_shard) LayoutMap의 어떤 키도 이 "
                    f"경로와 맞지 않아 모든 장치에 복제되었습니다. 키: {list(layout_map)}"
                )
            raise ValueError(_not_sharded_message(variable, "must_shard", axes))
    return matched


def _listing(paths, limit=12):
    shown = ", ".join(repr(p) for p in paths[:limit])
    return shown + (f" 외 {len(paths) - limit}개" if len(paths) > limit else "")


def _unmatched_key_message(key, pattern, paths):
    message = (
        f"LayoutMap 키 {key!r}에 맞는 변수 경로가 없습니다. Keras 3.14부터 키는 경로 전체와 "
        "맞아야 하므로(re.fullmatch), 이 키로 나누려던 변수는 경고 없이 모든 장치에 "
        "복제됩니다."
    )
    partial = [path for path in paths if pattern.search(path)]
    if partial:
        message += (
            f" 키가 경로의 일부와만 맞는 변수: {_listing(partial)} — 키를 {'.*' + key!r}처럼 "
            "경로 전체에 맞게 쓰세요."
        )
    return message + f" 모델의 변수 경로: {_listing(paths)}"


def _not_sharded_message(variable, reason, axes):
    shards = device_shards(variable)
    spec = _partition_spec(variable)
    backend = keras.backend.backend()
    if spec is None and backend != "jax":
        where = (
            f"이 백엔드({backend})의 변수에는 샤딩 정보가 없고 전체가 {shards[0][0]} 한 곳에 "
            "있습니다 (Keras 3.15에서 keras.distribution으로 변수를 나누는 백엔드는 JAX뿐입니다)"
        )
    elif spec is None:
        where = (
            f"전체가 {shards[0][0]} 한 곳에 있습니다: 분산 설정 없이 만든 변수입니다. 모델을 "
            "set_distribution()이나 distribution.scope() 안에서 만들었는지 보세요"
        )
    else:
        where = (
            f"장치 {len(shards)}개가 모두 전체 모양 {tuple(variable.shape)}을 갖고 있습니다 "
            f"(지금 샤딩: {spec}). 모델을 set_distribution()이나 distribution.scope() 안에서 "
            "만들었는지 보세요"
        )
    return f"변수 {variable.path!r}는 {reason}에 따라 {axes}로 나뉘어야 하는데 {where}."


def ring_all_reduce_bytes(num_bytes, num_devices):
    """링 올리듀스(ring all-reduce)로 `num_bytes`를 합칠 때 장치 하나가 보내는 바이트 수.

    장치 `n`개가 값을 `n`조각으로 나눠, 조각을 `n - 1`번 돌려 더하고(reduce-scatter) `n - 1`번
    더 돌려 나눠 갖습니다(all-gather). 장치마다 `2 × (n - 1) / n × num_bytes`를 보냅니다.

    Args:
        num_bytes: 장치마다 합칠 값의 바이트 수. 0 이상의 정수.
        num_devices: 값을 합치는 장치 수. 양의 정수.

    Returns:
        장치 하나가 보내는 바이트 수 (`float`). 장치가 하나면 0.

    Raises:
        ValueError: 인자가 범위를 벗어났을 때.
    """
    if not isinstance(num_bytes, (int, np.integer)) or isinstance(num_bytes, bool) or num_bytes < 0:
        raise ValueError(f"num_bytes는 0 이상의 정수여야 합니다. 받은 값: num_bytes={num_bytes!r}")
    if (
        not isinstance(num_devices, (int, np.integer))
        or isinstance(num_devices, bool)
        or num_devices < 1
    ):
        raise ValueError(
            f"num_devices는 양의 정수여야 합니다. 받은 값: num_devices={num_devices!r}"
        )
    return 2.0 * (num_devices - 1) / num_devices * int(num_bytes)


def collectives(hlo_text):
    """컴파일된 XLA 프로그램(HLO 글자)에서 장치 사이 통신 연산을 찾아 돌려줍니다.

    `jax.jit(f).lower(...).compile().as_text()`의 결과를 넘기세요. 연산마다 종류, 결과의
    바이트 수(튜플이면 합), 함께 통신하는 장치 무리의 크기를 돌려줍니다.

    Args:
        hlo_text: HLO 글자.

    Returns:
        `{"op": "all-reduce", "bytes": 2560, "group_size": 4}` 꼴 딕셔너리의 리스트.

    Raises:
        TypeError: `hlo_text`가 문자열이 아닐 때.
    """
    if not isinstance(hlo_text, str):
        raise TypeError(
            f"hlo_text에는 HLO 글자(str)를 넘기세요. 받은 값의 형식: {type(hlo_text).__name__}"
        )
    found = []
    for line in hlo_text.splitlines():
        match = _COLLECTIVE.search(line)
        if not match:
            continue
        total = 0
        for array in _ARRAY.finditer(match.group("shape")):
            dims = [int(d) for d in array.group("dims").split(",") if d]
            dtype = array.group("dtype")
            itemsize = _ITEMSIZE.get(dtype, int(re.sub(r"\D", "", dtype) or 32) // 8)
            total += math.prod(dims) * itemsize
        groups = _GROUPS.search(line)
        iota = _IOTA_GROUPS.search(line)
        mesh = _MESH_GROUPS.search(line)
        if mesh:
            sizes = {
                m.group("name"): int(m.group("size")) for m in _MESH_AXIS.finditer(mesh["axes"])
            }
            names = re.findall(r"'([^']+)'", mesh.group("names"))
            group_size = math.prod(sizes.get(name, 1) for name in names)
        elif groups:
            group_size = len(groups.group("groups").split("}")[0].strip("{").split(","))
        elif iota:
            group_size = int(iota.group("size"))
        else:
            group_size = None
        found.append({"op": match.group("op"), "bytes": total, "group_size": group_size})
    return found
