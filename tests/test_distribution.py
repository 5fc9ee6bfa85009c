"""companion.distribution: LayoutMap checks that fail loudly, shard tables, bytes moved per step.

Two kinds of tests. The first run in the test process on whatever backend it has (`make unit`,
`make test-jax`, `make test-torch`): argument errors, keys that match no path, variables left
unsharded on a backend that does not shard, the byte arithmetic, HLO parsing. The second need
JAX with 8 CPU devices, which must be set before JAX starts: they send code to one
`PythonProcesses` worker started with `jax_num_cpu_devices=8` and assert on what it prints.
"""

import json
import textwrap

import keras
import numpy as np
import pytest

import companion
from companion.distribution import collectives, ring_all_reduce_bytes

DEVICES = [f"cpu:{i}" for i in range(8)]


def _mesh():
    # Explicit device names: no backend is asked for its devices (PyTorch has no distribution_lib).
    return keras.distribution.DeviceMesh((2, 4), ["batch", "model"], devices=DEVICES)


def _mlp_model(name="classifier"):
    inputs = keras.Input((12,))
    return keras.Model(inputs, companion.MLPBlock((8, 4), name="mlp")(inputs), name=name)


def _sequential():
    return keras.Sequential(
        [keras.Input((12,)), keras.layers.Dense(8, name="d1"), keras.layers.Dense(4, name="d2")]
    )


# --- in the test process, any backend ---------------------------------------------------------


def test_a_key_that_matches_no_path_names_the_key_and_the_partial_match():
    layout_map = keras.distribution.LayoutMap(_mesh())
    layout_map["d1/kernel"] = (None, "model")  # the keras.io guide's key
    with pytest.raises(ValueError) as error:
        companion.check_layout_map(layout_map, _sequential())
    message = str(error.value)
    assert "'d1/kernel'" in message and "re.fullmatch" in message
    assert "'sequential" in message and "/d1/kernel'" in message  # the path it nearly matched
    assert "'.*d1/kernel'" in message  # the fix


def test_a_key_matching_nothing_at_all_lists_the_model_paths_without_a_fix():
    layout_map = keras.distribution.LayoutMap(_mesh())
    layout_map["mlp/linear_9/w"] = (None, "model")
    with pytest.raises(ValueError) as error:
        companion.check_layout_map(layout_map, _mlp_model())
    message = str(error.value)
    assert "'mlp/linear_9/w'" in message and "'mlp/linear_0/w'" in message
    assert "처럼 경로 전체에 맞게" not in message


def test_an_invalid_regular_expression_is_named():
    layout_map = keras.distribution.LayoutMap(_mesh())
    layout_map["mlp/(linear"] = (None, "model")
    with pytest.raises(ValueError, match=r"정규식.*'mlp/\(linear'"):
        companion.check_layout_map(layout_map, _mlp_model())


def test_two_keys_for_one_variable_are_both_named():
    layout_map = keras.distribution.LayoutMap(_mesh())
    layout_map[".*linear_0/w"] = (None, "model")
    layout_map["mlp/linear_0/.*"] = (None, None)
    with pytest.raises(ValueError, match=r"'mlp/linear_0/w'.*둘 이상.*linear_0/w"):
        companion.check_layout_map(layout_map, _mlp_model())


def test_replicated_layouts_are_returned_and_need_no_sharding():
    layout_map = keras.distribution.LayoutMap(_mesh())
    layout_map[".*linear_1/b"] = (None,)
    assert companion.check_layout_map(layout_map, _mlp_model()) == {"mlp/linear_1/b": (None,)}


def test_a_variable_meant_to_be_sharded_but_on_one_device_fails_loudly():
    # Built with no distribution: one device on every backend. On TensorFlow and PyTorch the
    # message says that their keras.distribution never shards; on JAX, to set it first.
    layout_map = keras.distribution.LayoutMap(_mesh())
    layout_map[".*linear_0/w"] = (None, "model")
    with pytest.raises(ValueError) as error:
        companion.check_layout_map(layout_map, _mlp_model())
    message = str(error.value)
    assert "'mlp/linear_0/w'" in message and "(None, 'model')" in message
    if keras.backend.backend() == "jax":
        assert "set_distribution()" in message
    else:
        assert f"이 백엔드({keras.backend.backend()})" in message and "JAX뿐" in message


def test_must_shard_catches_a_variable_no_key_matched():
    layout_map = keras.distribution.LayoutMap(_mesh())
    layout_map[".*linear_1/b"] = (None,)
    with pytest.raises(ValueError, match=r"'mlp/linear_0/w'.*must_shard.*복제"):
        companion.check_layout_map(layout_map, _mlp_model(), must_shard=["mlp/linear_0/w"])
    with pytest.raises(ValueError, match=r"'mlp/linear_7/w'.*없습니다"):
        companion.check_layout_map(layout_map, _mlp_model(), must_shard=["mlp/linear_7/w"])


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"layout_map": {"a": (None,)}}, "layout_map="),
        ({"model": "classifier"}, "model='classifier'"),
        ({"must_shard": "mlp/linear_0/w"}, "must_shard='mlp/linear_0/w'"),
    ],
)
def test_wrong_kinds_of_arguments_are_type_errors_naming_the_value(kwargs, fragment):
    arguments = {"layout_map": keras.distribution.LayoutMap(_mesh()), "model": _mlp_model()}
    arguments.update(kwargs)
    with pytest.raises(TypeError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        companion.check_layout_map(**arguments)


def test_a_model_without_variables_is_refused():
    layout_map = keras.distribution.LayoutMap(_mesh())
    unbuilt = keras.Sequential([keras.layers.Dense(3)], name="unbuilt")
    with pytest.raises(ValueError, match="'unbuilt'.*빌드"):
        companion.check_layout_map(layout_map, unbuilt)


def test_shards_of_a_variable_on_one_device():
    model = _mlp_model()
    kernel = model.get_layer("mlp").linear_layers[0].w
    ((device, shape, index),) = companion.device_shards(kernel)
    assert device == "cpu:0" and shape == (12, 8) and index == "[:, :]"
    assert not companion.is_sharded(kernel)
    assert companion.bytes_per_device(model) == {"cpu:0": (12 * 8 + 8 + 8 * 4 + 4) * 4}
    table = companion.shard_table(model).splitlines()
    assert table[0].split() == ["경로", "전체", "모양", "나눈", "축", "장치마다", "조각"]
    assert table[1].split()[:3] == ["mlp/linear_0/w", "(12,", "8)"]
    assert table[1].endswith("장치 1개 × (12, 8)")
    assert len(table) == 1 + len(model.variables)


@pytest.mark.parametrize("bad", ["w", 3, [keras.Variable(np.ones(2)), "w"]])
def test_shard_helpers_refuse_what_is_not_a_variable(bad):
    with pytest.raises(TypeError, match="받은 값"):
        companion.shard_table(bad)
    with pytest.raises(TypeError, match="variable="):
        companion.device_shards(bad)


def test_ring_all_reduce_bytes():
    assert ring_all_reduce_bytes(1000, 1) == 0
    assert ring_all_reduce_bytes(1000, 2) == 1000
    assert ring_all_reduce_bytes(220_200, 8) == pytest.approx(385_350)
    assert ring_all_reduce_bytes(np.int64(16), 4) == 24


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"num_bytes": -1, "num_devices": 2}, "num_bytes=-1"),
        ({"num_bytes": 1.5, "num_devices": 2}, "num_bytes=1.5"),
        ({"num_bytes": 8, "num_devices": 0}, "num_devices=0"),
        ({"num_bytes": 8, "num_devices": True}, "num_devices=True"),
    ],
)
def test_ring_all_reduce_bytes_names_a_bad_argument(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        ring_all_reduce_bytes(**kwargs)


HLO = """
%all-reduce.6 = (f32[32,16]{1,0}, f32[32]{0}, f32[32,32]{1,0}, f32[32]{0}, f32[4,32]{1,0}, \
/*index=5*/f32[4]{0}) all-reduce(%dot.5, %wrapped_reduce), channel_id=2, \
replica_groups={{0,1,2,3,4,5,6,7}}, use_global_device_ids=true, to_apply=%add
%get-tuple-element.6 = f32[32,16]{1,0} get-tuple-element(%all-reduce.6), index=0
%all-reduce = f32[32,32]{1,0} all-reduce(%ynn_fusion.3), channel_id=1, \
replica_groups={{0,1,2,3},{4,5,6,7}}, use_global_device_ids=true, to_apply=%add.clone
%all-gather-start = bf16[8,16]{1,0} all-gather-start(%p), replica_groups=[4,2]<=[8], dimensions={0}
%all-reduce.4 = (f32[8,16]{1,0}, f32[8]{0}) all-reduce(%dot.3, %r), channel_id=1, \
replica_groups=mesh['axis_0'=2,'axis_1'=4] {'axis_1'}, use_global_device_ids=true
%fusion = f32[4]{0} fusion(%all-reduce), kind=kLoop
"""


def test_collectives_reads_tuple_shapes_groups_and_dtypes():
    assert collectives(HLO) == [
        {"op": "all-reduce", "bytes": (512 + 32 + 1024 + 32 + 128 + 4) * 4, "group_size": 8},
        {"op": "all-reduce", "bytes": 32 * 32 * 4, "group_size": 4},
        {"op": "all-gather", "bytes": 8 * 16 * 2, "group_size": 2},
        {"op": "all-reduce", "bytes": (128 + 8) * 4, "group_size": 4},
    ]
    assert collectives("%add = f32[4]{0} add(%a, %b)") == []
    with pytest.raises(TypeError, match="bytes"):
        collectives(b"%all-reduce")


# --- JAX with 8 CPU devices, in a worker process ----------------------------------------------

_SETUP = """
import os
os.environ["KERAS_BACKEND"] = "jax"
import jax
jax.config.update("jax_num_cpu_devices", 8)
import json
import keras
import numpy as np
import companion
mesh = keras.distribution.DeviceMesh((2, 4), ["batch", "model"])
layout_map = keras.distribution.LayoutMap(mesh)
layout_map["mlp/linear_0/w"] = (None, "model")
layout_map["mlp/linear_0/b"] = ("model",)
layout_map["mlp/linear_1/w"] = ("model", None)
model_parallel = keras.distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch")


def mlp(distribution):
    keras.distribution.set_distribution(distribution)
    keras.utils.set_random_seed(1)
    inputs = keras.Input((16,))
    model = keras.Model(inputs, companion.MLPBlock((8, 4), name="mlp")(inputs), name="net")
    keras.distribution.set_distribution(None)
    return model


def error_of(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except ValueError as error:
        return str(error)
    return None
"""


@pytest.fixture(scope="module")
def mesh_process():
    process = companion.PythonProcesses()
    (setup,) = process.run(_SETUP)
    assert setup.error is None, setup.error
    yield process
    process.close()


def _remote(process, code):
    (result,) = process.run(textwrap.dedent(code))
    assert result.error is None, result.error["traceback"]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_layout_map_on_a_sharded_model(mesh_process):
    found = _remote(
        mesh_process,
        """
        model = mlp(model_parallel)
        kernel = model.get_layer("mlp").linear_layers[0].w
        print(json.dumps({
            "matched": companion.check_layout_map(
                layout_map, model, must_shard=["mlp/linear_0/w", "mlp/linear_1/w"]
            ),
            "shards": companion.device_shards(kernel),
            "sharded": [companion.is_sharded(v) for v in model.weights],
            "bytes": companion.bytes_per_device(model),
            "table": companion.shard_table(model).splitlines()[1],
        }))
        """,
    )
    assert found["matched"] == {
        "mlp/linear_0/w": [None, "model"],
        "mlp/linear_0/b": ["model"],
        "mlp/linear_1/w": ["model", None],
    }
    assert found["shards"][:4] == [
        ["cpu:0", [16, 2], "[:, 0:2]"],
        ["cpu:1", [16, 2], "[:, 2:4]"],
        ["cpu:2", [16, 2], "[:, 4:6]"],
        ["cpu:3", [16, 2], "[:, 6:8]"],
    ]
    assert [row[2] for row in found["shards"][4:]] == [
        "[:, 0:2]",
        "[:, 2:4]",
        "[:, 4:6]",
        "[:, 6:8]",
    ]
    assert found["sharded"] == [True, True, True, False]
    per_device = (16 * 2 + 2 + 2 * 4 + 4) * 4
    assert found["bytes"] == {f"cpu:{i}": per_device for i in range(8)}
    assert found["table"].split()[-5:] == ["장치", "8개", "×", "(16,", "2)"]
    assert "(None, 'model')" in found["table"]


def test_a_model_built_before_the_distribution_is_replicated_and_fails(mesh_process):
    message = _remote(
        mesh_process,
        """
        model = mlp(None)  # built with no distribution: every weight on cpu:0
        print(json.dumps(error_of(companion.check_layout_map, layout_map, model)))
        """,
    )
    assert "'mlp/linear_0/w'" in message and "cpu:0 한 곳" in message
    assert "set_distribution()" in message


def test_replicated_on_every_device_names_the_spec(mesh_process):
    found = _remote(
        mesh_process,
        """
        data_parallel = keras.distribution.DataParallel(
            device_mesh=keras.distribution.DeviceMesh((8,), ["batch"])
        )
        model = mlp(data_parallel)
        print(json.dumps({
            "error": error_of(companion.check_layout_map, layout_map, model),
            "must": error_of(
                companion.check_layout_map,
                keras.distribution.LayoutMap(mesh),
                model,
                must_shard=["mlp/linear_1/w"],
            ),
            "bytes": sorted(set(companion.bytes_per_device(model).values())),
        }))
        """,
    )
    assert "장치 8개가 모두 전체 모양 (16, 8)" in found["error"]
    assert "(None, None)" in found["error"]
    assert "'mlp/linear_1/w'" in found["must"] and "must_shard" in found["must"]
    assert found["bytes"] == [(16 * 8 + 8 + 8 * 4 + 4) * 4]


def test_the_guide_key_replicates_a_sequential_models_kernel(mesh_process):
    found = _remote(
        mesh_process,
        """
        guide = keras.distribution.LayoutMap(mesh)
        guide["d1/kernel"] = (None, "model")
        keras.distribution.set_distribution(keras.distribution.ModelParallel(layout_map=guide))
        model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(8, name="d1")])
        keras.distribution.set_distribution(None)
        print(json.dumps({
            "sharded": companion.is_sharded(model.get_layer("d1").kernel),
            "error": error_of(companion.check_layout_map, guide, model),
        }))
        """,
    )
    assert found["sharded"] is False  # Keras replicated it without a word
    assert "'.*d1/kernel'" in found["error"]


def test_collectives_of_a_compiled_data_parallel_gradient(mesh_process):
    found = _remote(
        mesh_process,
        """
        data_parallel = keras.distribution.DataParallel(
            device_mesh=keras.distribution.DeviceMesh((8,), ["batch"])
        )
        model = mlp(data_parallel)

        def loss(trainable, x):
            y, _ = model.stateless_call(trainable, [], x)
            return keras.ops.mean(y**2)

        x = jax.device_put(
            np.ones((16, 16), "float32"), data_parallel.get_data_layout((16, 16)).backend_layout
        )
        trainable = [v.value for v in model.trainable_variables]
        hlo = jax.jit(jax.grad(loss)).lower(trainable, x).compile().as_text()
        print(json.dumps(companion.collectives(hlo)))
        """,
    )
    params = 16 * 8 + 8 + 8 * 4 + 4
    assert sum(op["bytes"] for op in found if op["op"] == "all-reduce") == params * 4
    assert {op["group_size"] for op in found} == {8}
