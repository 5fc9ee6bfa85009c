"""Break the package on purpose and check that a named test notices (mutation check).

Each mutation below replaces one piece of `companion/` source by a version that keeps shapes
and types intact but breaks behaviour (a bias never added, a mask ignored, a KL sign flipped,
the training loop calling the model in inference mode, ...), then runs the test that is
supposed to catch it. A mutation is "caught" when that test fails.

Nothing in the working tree is edited: every mutation runs in a fresh temporary copy of
`companion/`, `tests/` and `pyproject.toml`, imported through PYTHONPATH.

Usage (from the repository root):

    .venv/bin/python scripts/mutation_check.py              # every mutation
    .venv/bin/python scripts/mutation_check.py --list       # what is there
    .venv/bin/python scripts/mutation_check.py linear-bias sampling-variance
    .venv/bin/python scripts/mutation_check.py --baseline   # first: the chosen tests pass as is

Exit status 0 when every mutation was caught, 1 when one was missed, 2 when a mutation no
longer applies (its source text changed: update the mutation).
"""

import argparse
import dataclasses
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True)
class Mutation:
    name: str
    path: str  # relative to the repository root
    old: str  # must occur exactly once in the file
    new: str
    test_file: str  # relative to the repository root
    selection: str  # a `pytest -k` expression choosing the tests in test_file that must fail
    what: str
    #: Why the change cannot be caught, for a change that does not alter behaviour at all
    #: (an "equivalent mutant"): kept to document that it was tried. Empty for real breakage.
    equivalent: str = ""
    #: KERAS_BACKEND for the test run, for code that only runs on one backend ("" = inherited).
    backend: str = ""


def m(name, path, old, new, tests, what, equivalent="", backend=""):
    """`tests` is "<test file>::<pytest -k expression>"."""
    test_file, selection = tests.split("::", 1)
    return Mutation(name, path, old, new, test_file, selection, what, equivalent, backend)


L = "companion/layers/"
M = "companion/models/"
TL = "tests/layers/"
TM = "tests/models/"

MUTATIONS = [
    # Linear ------------------------------------------------------------------------------
    m(
        "linear-bias",
        L + "linear.py",
        "outputs = ops.add(outputs, self.b)",
        "outputs = outputs",
        TL + "test_linear.py::computes_x_dot_w_plus_b",
        "Linear never adds its bias",
    ),
    m(
        "linear-use-bias-ignored",
        L + "linear.py",
        "        if self.use_bias:\n            self.b",
        "        if True:\n            self.b",
        TL + "test_linear.py::without_bias_there_is_only_w",
        "use_bias=False accepted but a bias is still made and added",
    ),
    m(
        "linear-kernel-initializer-ignored",
        L + "linear.py",
        '_get_initializer("kernel_initializer", kernel_initializer)',
        '_get_initializer("kernel_initializer", "random_normal")',
        TL + "test_linear.py::basics",
        "kernel_initializer accepted but ignored",
    ),
    m(
        "linear-no-masking",
        L + "linear.py",
        "self.supports_masking = True",
        "self.supports_masking = False",
        TL + "test_linear.py::mask_passes_through_to_the_next_layer",
        "Linear drops the mask of the layer before it",
    ),
    # ComputeSum --------------------------------------------------------------------------
    m(
        "compute-sum-trainable",
        L + "compute_sum.py",
        "trainable=False,",
        "trainable=True,",
        TL + "test_compute_sum.py::basics",
        "the running total is made a trainable weight",
    ),
    m(
        "compute-sum-mean",
        L + "compute_sum.py",
        "ops.sum(ops.cast(inputs, self.total.dtype), axis=0)",
        "ops.mean(ops.cast(inputs, self.total.dtype), axis=0)",
        TL + "test_compute_sum.py::total_is_the_column_sum_of_everything_seen",
        "the batch sum is replaced by a mean",
    ),
    m(
        "compute-sum-no-accumulation",
        L + "compute_sum.py",
        "self.total.assign_add(",
        "self.total.assign(",
        TL + "test_compute_sum.py::total_is_the_column_sum_of_everything_seen",
        "each call overwrites the total instead of adding to it",
    ),
    m(
        "compute-sum-autocast",
        L + "compute_sum.py",
        "autocast=False,",
        "autocast=True,",
        TL + "test_compute_sum.py::mixed_precision_accumulates_in_float32",
        "under mixed_float16 the total is accumulated in float16",
    ),
    # MLPBlock ----------------------------------------------------------------------------
    m(
        "mlp-no-activation",
        L + "mlp_block.py",
        "x = self.activation(x)",
        "x = x",
        TL + "test_mlp_block.py::activation_between_layers_but_not_after_the_last",
        "the activation between the Linear layers is dropped",
    ),
    m(
        "mlp-activation-after-last",
        L + "mlp_block.py",
        "if i < last:",
        "if True:",
        TL + "test_mlp_block.py::activation_between_layers_but_not_after_the_last",
        "the activation is also applied after the last layer",
    ),
    m(
        "mlp-activation-ignored",
        L + "mlp_block.py",
        "self.activation = activation_fn",
        'self.activation = keras.activations.get("relu")',
        TL + "test_mlp_block.py::the_activation_argument_is_used",
        "the activation argument is accepted but relu is always used",
    ),
    m(
        "mlp-policy-not-passed",
        L + "mlp_block.py",
        "Linear(n, dtype=self.dtype_policy, ",
        "Linear(n, ",
        TL + "test_mlp_block.py::mixed_precision_reaches_the_sub_layers",
        "the block's dtype policy does not reach its Linear layers",
    ),
    # ActivityRegularizationLayer ---------------------------------------------------------
    m(
        "activity-sign",
        L + "activity_regularization_layer.py",
        "self.add_loss(self.rate * activity)",
        "self.add_loss(-self.rate * activity)",
        TL + "test_activity_regularization_layer.py::basics",
        "the added loss has the wrong sign",
    ),
    m(
        "activity-mean",
        L + "activity_regularization_layer.py",
        "activity = ops.sum(",
        "activity = ops.mean(",
        TL + "test_activity_regularization_layer.py::basics",
        "the sum of the inputs is replaced by their mean",
    ),
    m(
        "activity-rate-ignored",
        L + "activity_regularization_layer.py",
        "self.add_loss(self.rate * activity)",
        "self.add_loss(1e-2 * activity)",
        TL + "test_activity_regularization_layer.py::basics",
        "rate accepted but the default 0.01 always used",
    ),
    # LogisticEndpoint --------------------------------------------------------------------
    m(
        "logistic-loss-sign",
        L + "logistic_endpoint.py",
        "self.add_loss(self.loss_fn(targets, logits, sample_weight))",
        "self.add_loss(-self.loss_fn(targets, logits, sample_weight))",
        TL + "test_logistic_endpoint.py::basics",
        "the cross-entropy is added with the wrong sign",
    ),
    m(
        "logistic-sample-weight-ignored",
        L + "logistic_endpoint.py",
        "self.add_loss(self.loss_fn(targets, logits, sample_weight))",
        "self.add_loss(self.loss_fn(targets, logits))",
        TL + "test_logistic_endpoint.py::sample_weight_is_used_for_loss_and_accuracy",
        "sample_weight is ignored by the loss",
    ),
    m(
        "logistic-metric-not-updated",
        L + "logistic_endpoint.py",
        "self.accuracy_metric.update_state(targets, probabilities, sample_weight)",
        "pass",
        TL + "test_logistic_endpoint.py::basics",
        "the accuracy metric is never updated",
    ),
    # CustomDropout -----------------------------------------------------------------------
    m(
        "dropout-never-fit",
        L + "custom_dropout.py",
        "if training and self.rate > 0:",
        "if False:",
        TL + "test_custom_dropout.py::fit_lowers_the_loss_with_dropout_on",
        "dropout does nothing while training: seen by the fit test",
    ),
    m(
        "dropout-never-float16",
        L + "custom_dropout.py",
        "if training and self.rate > 0:",
        "if False:",
        TL + "test_custom_dropout.py::drops_in_float16",
        "dropout does nothing while training: seen by the mixed-precision test",
    ),
    m(
        "dropout-rate-ignored",
        L + "custom_dropout.py",
        "keras.random.dropout(inputs, self.rate, ",
        "keras.random.dropout(inputs, 0.5, ",
        TL + "test_custom_dropout.py::the_rate_sets_the_fraction_dropped_and_the_scale",
        "rate accepted but 0.5 always used",
    ),
    m(
        "dropout-no-rescale",
        L + "custom_dropout.py",
        "return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)",
        "return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)"
        " * (1 - self.rate)",
        TL + "test_custom_dropout.py::the_rate_sets_the_fraction_dropped_and_the_scale",
        "kept values are not scaled by 1 / (1 - rate)",
    ),
    m(
        "dropout-seed-ignored",
        L + "custom_dropout.py",
        "self.seed_generator = keras.random.SeedGenerator(seed)",
        "self.seed_generator = keras.random.SeedGenerator(None)",
        TL + "test_custom_dropout.py::same_seed_same_patterns",
        "seed accepted but ignored",
    ),
    m(
        "dropout-same-pattern",
        L + "custom_dropout.py",
        "seed=self.seed_generator)",
        "seed=self.seed)",
        TL + "test_custom_dropout.py::same_seed_same_patterns",
        "the same dropout pattern on every call (the generator never advances)",
    ),
    # MaskedAverage -----------------------------------------------------------------------
    m(
        "masked-average-mask-ignored",
        L + "masked_average.py",
        "        if mask is None:\n            return",
        "        if True:\n            return",
        TL + "test_masked_average.py::basics",
        "the mask is ignored",
    ),
    m(
        "masked-average-divide-by-steps",
        L + "masked_average.py",
        "return ops.divide_no_nan(total, count)",
        "return ops.divide_no_nan(total, ops.cast(ops.shape(inputs)[1], inputs.dtype))",
        TL + "test_masked_average.py::basics",
        "the sum is divided by all time steps, not by the unmasked ones",
    ),
    m(
        "masked-average-keeps-mask",
        L + "masked_average.py",
        "    def compute_mask(self, inputs, mask=None):\n        return None",
        "    def compute_mask(self, inputs, mask=None):\n        return mask",
        TL + "test_masked_average.py::consumes_the_mask",
        "the time-step mask is passed on although the time axis is gone",
    ),
    m(
        "masked-average-multiply",
        L + "masked_average.py",
        "ops.where(keep, inputs, ops.zeros_like(inputs))",
        "inputs * ops.cast(keep, inputs.dtype)",
        TL + "test_masked_average.py::nan_do_not_leak",
        "masking by multiplication lets NaN/inf of masked steps leak",
    ),
    # ResNetBlock -------------------------------------------------------------------------
    m(
        "resnet-block-no-skip",
        L + "resnet_block.py",
        "return ops.relu(x + shortcut)",
        "return ops.relu(x)",
        TL + "test_resnet_block.py::identity_shortcut_passes_the_input_through",
        "the skip connection is dropped",
    ),
    m(
        "resnet-block-no-final-relu",
        L + "resnet_block.py",
        "return ops.relu(x + shortcut)",
        "return x + shortcut",
        TL + "test_resnet_block.py::output_matches_the_sub_layers_composed_by_hand",
        "the ReLU after the sum is dropped",
    ),
    m(
        "resnet-block-no-inner-relu",
        L + "resnet_block.py",
        "        x = ops.relu(x)\n        x = self.conv2(x)",
        "        x = self.conv2(x)",
        TL + "test_resnet_block.py::output_matches_the_sub_layers_composed_by_hand",
        "the ReLU between the two convolutions is dropped",
    ),
    m(
        "resnet-block-bn2-training",
        L + "resnet_block.py",
        "x = self.bn2(x, training=training)",
        "x = self.bn2(x, training=False)",
        TL + "test_resnet_block.py::training_flag_switches_batch_norm",
        "the second batch normalization always runs in inference mode",
    ),
    m(
        "resnet-block-always-project",
        L + "resnet_block.py",
        "self.use_projection = self.strides != 1 or input_shape[-1] != self.filters",
        "self.use_projection = True",
        TL + "test_resnet_block.py::projection_only_when_shapes_differ",
        "a projection shortcut even where the identity fits",
    ),
    # Sampling ----------------------------------------------------------------------------
    m(
        "sampling-variance-ignored",
        L + "sampling.py",
        "return z_mean + ops.exp(0.5 * z_log_var) * epsilon",
        "return z_mean + epsilon",
        TL + "test_sampling.py::fit_lowers_the_loss",
        "the noise ignores the log-variance (caught by the fit test alone)",
    ),
    m(
        "sampling-variance-not-halved",
        L + "sampling.py",
        "return z_mean + ops.exp(0.5 * z_log_var) * epsilon",
        "return z_mean + ops.exp(z_log_var) * epsilon",
        TL + "test_sampling.py::statistics_match_the_requested_normal_distribution",
        "exp(log_var) used as the standard deviation",
    ),
    m(
        "sampling-one-noise-per-row",
        L + "sampling.py",
        "ops.shape(z_mean), dtype=z_mean.dtype",
        "(ops.shape(z_mean)[0], 1), dtype=z_mean.dtype",
        TL + "test_sampling.py::statistics_match_the_requested_normal_distribution",
        "one noise value per row, shared by every latent dimension",
    ),
    m(
        "sampling-one-noise-for-all",
        L + "sampling.py",
        "ops.shape(z_mean), dtype=z_mean.dtype",
        "(1, 1), dtype=z_mean.dtype",
        TL + "test_sampling.py::statistics_match_the_requested_normal_distribution",
        "one noise value for the whole batch",
    ),
    m(
        "sampling-same-draw",
        L + "sampling.py",
        "dtype=z_mean.dtype, seed=self.seed_generator",
        "dtype=z_mean.dtype, seed=self.seed",
        TL + "test_sampling.py::same_seed_same_samples_and_successive_calls_differ",
        "every call draws the same noise (the generator never advances)",
    ),
    # KLDivergenceSampling ----------------------------------------------------------------
    m(
        "kl-sign",
        L + "kl_divergence_sampling.py",
        "return 0.5 * ops.mean(",
        "return -0.5 * ops.mean(",
        TL + "test_kl_divergence_sampling.py::hand_computed_case",
        "the KL term has the wrong sign",
    ),
    m(
        "kl-sum",
        L + "kl_divergence_sampling.py",
        "return 0.5 * ops.mean(",
        "return 0.5 * ops.sum(",
        TL + "test_kl_divergence_sampling.py::hand_computed_case",
        "the mean over batch and latent dimensions is replaced by a sum",
    ),
    m(
        "kl-weight-ignored",
        L + "kl_divergence_sampling.py",
        "self.add_loss(self.kl_weight * kl_loss)",
        "self.add_loss(kl_loss)",
        TL + "test_kl_divergence_sampling.py::kl_weight_scales_the_formula_of_the_2020_guide",
        "kl_weight accepted but ignored",
    ),
    m(
        "kl-sampling-returns-mean",
        L + "kl_divergence_sampling.py",
        "return self._sample(z_mean, z_log_var)",
        "return z_mean",
        TL + "test_kl_divergence_sampling.py::samples_follow_the_distribution_like_sampling",
        "KLDivergenceSampling returns the mean instead of a sample",
    ),
    # Encoder / Decoder -------------------------------------------------------------------
    m(
        "encoder-variance-ignored",
        L + "encoder.py",
        "z = self.sampling((z_mean, z_log_var))",
        "z = self.sampling((z_mean, z_log_var * 0.0))",
        TL + "test_encoder.py::fit_through_z_learns_a_small_variance",
        "the encoder samples with unit variance whatever z_log_var says (caught by fit)",
    ),
    m(
        "encoder-z-is-mean",
        L + "encoder.py",
        "z = self.sampling((z_mean, z_log_var))",
        "z = z_mean",
        TL + "test_encoder.py::basics",
        "the encoder returns z_mean as z",
    ),
    m(
        "encoder-no-relu",
        L + "encoder.py",
        'intermediate_dim, activation="relu", name="dense_proj"',
        'intermediate_dim, activation=None, name="dense_proj"',
        TL + "test_encoder.py::basics",
        "the hidden layer's ReLU is dropped",
    ),
    m(
        "encoder-log-var-from-mean",
        L + "encoder.py",
        "z_log_var = self.dense_log_var(x)",
        "z_log_var = self.dense_mean(x)",
        TL + "test_encoder.py::basics",
        "z_log_var is computed by the z_mean layer",
    ),
    m(
        "decoder-no-sigmoid",
        L + "decoder.py",
        'activation="sigmoid"',
        "activation=None",
        TL + "test_decoder.py::basics",
        "the output sigmoid is dropped",
    ),
    m(
        "decoder-no-relu",
        L + "decoder.py",
        'intermediate_dim, activation="relu", name="dense_proj"',
        'intermediate_dim, activation=None, name="dense_proj"',
        TL + "test_decoder.py::basics",
        "the hidden layer's ReLU is dropped",
    ),
    # VariationalAutoEncoder --------------------------------------------------------------
    m(
        "vae-kl-sign",
        M + "variational_autoencoder.py",
        "self.add_loss(self.kl_weight * kl_loss)",
        "self.add_loss(-self.kl_weight * kl_loss)",
        TM + "test_variational_autoencoder.py::basics",
        "the KL term has the wrong sign",
    ),
    m(
        "vae-kl-sum",
        M + "variational_autoencoder.py",
        "kl_loss = kl_divergence_to_standard_normal(z_mean, z_log_var, self.variable_dtype)",
        "kl_loss = kl_divergence_to_standard_normal(z_mean, z_log_var, self.variable_dtype)"
        " * ops.cast(ops.size(z_mean), self.variable_dtype)",
        TM + "test_variational_autoencoder.py::basics",
        "the KL mean is replaced by a sum",
    ),
    m(
        "vae-kl-weight-ignored",
        M + "variational_autoencoder.py",
        "self.add_loss(self.kl_weight * kl_loss)",
        "self.add_loss(kl_loss)",
        TM + "test_variational_autoencoder.py::kl_weight_scales_the_added_loss",
        "kl_weight accepted but ignored",
    ),
    m(
        "vae-decodes-mean",
        M + "variational_autoencoder.py",
        "reconstructed = self.decoder(z)",
        "reconstructed = self.decoder(z_mean)",
        TM + "test_variational_autoencoder.py::decodes_a_sample_not_the_mean",
        "the VAE decodes z_mean where it should decode the sample z",
    ),
    m(
        "vae-trackers-unweighted",
        M + "variational_autoencoder.py",
        "self.kl_loss_tracker.update_state(kl_loss, sample_weight=batch_size)",
        "self.kl_loss_tracker.update_state(kl_loss)",
        TM + "test_vae_train_step.py::smaller_last_batch_counts_by_its_size",
        "the KL tracker averages batch means, so a smaller last batch counts as a full one",
    ),
    m(
        "vae-test-step-ignores-sample-weight",
        M + "variational_autoencoder.py",
        "x=x, y=y, y_pred=reconstruction, sample_weight=sample_weight, training=False",
        "x=x, y=y, y_pred=reconstruction, sample_weight=None, training=False",
        TM + "test_vae_train_step.py::evaluate_and_validation_weight",
        "evaluate() and validation drop sample_weight (TensorFlow and PyTorch test_step)",
    ),
    # build_functional_vae ----------------------------------------------------------------
    m(
        "functional-vae-decodes-mean",
        M + "functional_vae.py",
        'activation="relu", name="decoder_hidden")(z)',
        'activation="relu", name="decoder_hidden")(z_mean)',
        TM + "test_functional_vae.py::decodes_a_sample_not_the_mean",
        "the functional VAE decodes z_mean where it should decode the sample z",
    ),
    m(
        "functional-vae-kl-weight-ignored",
        M + "functional_vae.py",
        "KLDivergenceSampling(kl_weight=kl_weight, ",
        "KLDivergenceSampling(kl_weight=1.0, ",
        TM + "test_functional_vae.py::arguments_reach_the_layers",
        "kl_weight accepted but ignored",
    ),
    m(
        "functional-vae-decoder-width-ignored",
        M + "functional_vae.py",
        'keras.layers.Dense(intermediate_dim, activation="relu", name="decoder_hidden")',
        'keras.layers.Dense(64, activation="relu", name="decoder_hidden")',
        TM + "test_functional_vae.py::arguments_reach_the_layers",
        "intermediate_dim reaches the encoder but not the decoder",
    ),
    m(
        "functional-vae-no-encoder-relu",
        M + "functional_vae.py",
        'Dense(intermediate_dim, activation="relu", name="encoder_hidden")',
        'Dense(intermediate_dim, name="encoder_hidden")',
        TM + "test_functional_vae.py::basics",
        "the encoder's hidden ReLU is dropped",
    ),
    # ResNet ------------------------------------------------------------------------------
    m(
        "resnet-no-stem-relu",
        M + "resnet.py",
        "        x = ops.relu(x)\n        for block in self.blocks:",
        "        for block in self.blocks:",
        TM + "test_resnet.py::output_matches_the_layers_composed_by_hand",
        "the stem's ReLU is dropped",
    ),
    m(
        "resnet-no-downsampling",
        M + "resnet.py",
        "strides = 2 if stage > 0 and index == 0 else 1",
        "strides = 1",
        TM + "test_resnet.py::stages_downsample_and_project_only_at_their_first_block",
        "later stages keep the full resolution",
    ),
    m(
        "resnet-blocks-per-stage-ignored",
        M + "resnet.py",
        "for index in range(blocks_per_stage):",
        "for index in range(1):",
        TM + "test_resnet.py::stages_downsample_and_project_only_at_their_first_block",
        "blocks_per_stage accepted but ignored",
    ),
    m(
        "resnet-stem-bn-training",
        M + "resnet.py",
        "x = self.stem_bn(x, training=training)",
        "x = self.stem_bn(x, training=False)",
        TM + "test_resnet.py::training_updates_every_batch_normalization",
        "the stem's batch normalization never trains",
    ),
    m(
        "resnet-blocks-no-training-flag",
        M + "resnet.py",
        "x = block(x, training=training)",
        "x = block(x)",
        TM + "test_resnet.py::training_updates_every_batch_normalization",
        "ResNet.call stops passing training= to its blocks",
        equivalent="Keras passes the outer call's training flag on to layers called inside it "
        "(tests/test_keras_facts.py::test_an_inner_layer_inherits_the_outer_training_flag)",
    ),
    # train_custom_loop -------------------------------------------------------------------
    m(
        "loop-inference-mode",
        "companion/training.py",
        "y_pred = model(x, training=True)",
        "y_pred = model(x, training=False)",
        "tests/test_training.py::the_model_is_called_in_training_mode",
        "the training loop calls the model in inference mode",
    ),
    m(
        "loop-no-model-losses",
        "companion/training.py",
        "                if model.losses:\n                    loss = loss + ops.sum(model.losses)",
        "                pass",
        "tests/test_training.py::model_losses_are_minimised_too",
        "model.losses (the KL term) are left out of the loss",
    ),
    m(
        "loop-metric-not-reset",
        "companion/training.py",
        "    loss_tracker.reset_state()",
        "    pass",
        "tests/test_training.py::matches_fit_step_for_step",
        "the epoch loss metric is never reset",
    ),
    m(
        "loop-metric-unweighted",
        "companion/training.py",
        "loss_tracker.update_state(loss, sample_weight=ops.shape(x)[0])",
        "loss_tracker.update_state(loss)",
        "tests/test_training.py::matches_fit_step_for_step",
        "the epoch loss is a mean over batches, not over samples",
    ),
    m(
        "loop-one-step-per-execution",
        "companion/training.py",
        "key = (optimizer, loss_fn, steps_per_execution, dataset.element_spec)",
        "steps_per_execution = 1\n"
        "    key = (optimizer, loss_fn, steps_per_execution, dataset.element_spec)",
        "tests/test_training.py::steps_per_execution_does_not_change_the_result",
        "steps_per_execution accepted but every call runs one batch",
        equivalent="by design the result is the same for every steps_per_execution; only the "
        "speed changes (benchmarks/vae_training.py measures it)",
    ),
    # The same loop and the VAE's train_step on JAX and PyTorch ------------------------------
    m(
        "loop-jax-no-model-losses",
        "companion/training.py",
        "        if losses:\n            loss = loss + ops.sum(losses)",
        "        pass",
        "tests/test_training.py::model_losses_are_minimised_too",
        "JAX loop: the losses returned by stateless_call (the KL term) are left out",
        backend="jax",
    ),
    m(
        "loop-jax-seed-state-dropped",
        "companion/training.py",
        "        y_pred, non_trainable_variables, losses = model.stateless_call(",
        "        y_pred, _, losses = model.stateless_call(",
        "tests/test_training.py::a_vae_trained_by_the_loop_matches_fit",
        "JAX loop: the sampling layers' seed states are not carried to the next step",
        backend="jax",
    ),
    m(
        "loop-torch-no-zero-grad",
        "companion/training.py",
        "        model.zero_grad()\n        y_pred = model(x, **kwargs)",
        "        y_pred = model(x, **kwargs)",
        "tests/test_training.py::matches_fit_step_for_step",
        "PyTorch loop: gradients pile up from batch to batch (no zero_grad())",
        backend="torch",
    ),
    m(
        "vae-jax-no-kl",
        M + "variational_autoencoder.py",
        "with keras.StatelessScope(state_mapping=mapping, collect_losses=True) as scope:",
        "with keras.StatelessScope(state_mapping=mapping, collect_losses=False) as scope:",
        TM + "test_vae_train_step.py::train_step_agrees_with_keras_own_step",
        "JAX train_step: the KL term added by add_loss() is not collected, so not trained",
        backend="jax",
    ),
    m(
        "vae-jax-no-loss-scaling",
        M + "variational_autoencoder.py",
        "                loss = self.optimizer.scale_loss(loss)",
        "                pass",
        TM + "test_vae_train_step.py::mixed_precision_scales_the_loss",
        "JAX train_step: the loss is not scaled for the LossScaleOptimizer (mixed_float16)",
        backend="jax",
    ),
    m(
        "vae-torch-no-zero-grad",
        M + "variational_autoencoder.py",
        "        self.zero_grad()\n",
        "",
        TM + "test_vae_train_step.py::train_step_agrees_with_keras_own_step",
        "PyTorch train_step: gradients pile up from batch to batch (no zero_grad())",
        backend="torch",
    ),
    m(
        "vae-torch-no-loss-scaling",
        M + "variational_autoencoder.py",
        "        self.optimizer.scale_loss(loss).backward()",
        "        loss.backward()",
        TM + "test_vae_train_step.py::mixed_precision_scales_the_loss",
        "PyTorch train_step: the loss is not scaled for the LossScaleOptimizer (mixed_float16)",
        backend="torch",
    ),
    # Plotting, data, display -------------------------------------------------------------
    m(
        "plot-reconstructions-title-ignored",
        "companion/plotting.py",
        '재구성", fontproperties=korean_font())\n    fig.suptitle(title,',
        '재구성", fontproperties=korean_font())\n    fig.suptitle("원본",',
        "tests/test_plotting.py::reconstructions_two_rows_of_n_images",
        "plot_reconstructions ignores title",
    ),
    m(
        "plot-generated-title-ignored",
        "companion/plotting.py",
        "            ax.set_axis_off()\n    fig.suptitle(title,",
        '            ax.set_axis_off()\n    fig.suptitle("이미지",',
        "tests/test_plotting_behaviour.py::generated_shows_every_image_in_order",
        "plot_generated ignores title",
    ),
    m(
        "plot-generated-same-image",
        "companion/plotting.py",
        "_show_image(ax, images[index])",
        "_show_image(ax, images[0])",
        "tests/test_plotting_behaviour.py::generated_shows_every_image_in_order",
        "plot_generated draws the first image in every cell",
    ),
    m(
        "plot-no-fixed-grey-range",
        "companion/plotting.py",
        'ax.imshow(image, cmap="gray", vmin=0.0, vmax=1.0)',
        'ax.imshow(image, cmap="gray")',
        "tests/test_plotting_behaviour.py::images_use_a_fixed_grey_scale",
        "pixel values are auto-scaled, so a dark image looks bright",
    ),
    m(
        "plot-latent-title-ignored",
        "companion/plotting.py",
        "ax.set_ylabel(ylabel, fontproperties=korean_font())\n    ax.set_title(title,",
        'ax.set_ylabel(ylabel, fontproperties=korean_font())\n    ax.set_title("잠재 공간 지도",',
        "tests/test_plotting_behaviour.py::latent_space_uses_title_and_class_names",
        "plot_latent_space ignores title",
    ),
    m(
        "plot-latent-class-names-ignored",
        "companion/plotting.py",
        "            label=name,",
        "            label=FASHION_MNIST_CLASS_NAMES[index % 10],",
        "tests/test_plotting_behaviour.py::latent_space_uses_title_and_class_names",
        "plot_latent_space ignores class_names in the legend",
    ),
    m(
        "data-dtype-ignored",
        "companion/data.py",
        "x_train = (x_train.reshape(shape) / 255.0).astype(np_dtype)",
        'x_train = (x_train.reshape(shape) / 255.0).astype("float32")',
        "tests/test_data.py::dtype_argument_sets_the_image_dtype",
        "load_fashion_mnist ignores dtype",
    ),
    m(
        "data-not-normalised",
        "companion/data.py",
        "x_train = (x_train.reshape(shape) / 255.0).astype(np_dtype)",
        "x_train = (x_train.reshape(shape) / 1.0).astype(np_dtype)",
        "tests/test_data.py::flat_layout_shapes_dtype_range_and_labels",
        "pixels are not scaled to [0, 1]",
    ),
    m(
        "show-source-whole-module",
        "companion/display.py",
        "lines, start = inspect.getsourcelines(obj)",
        "lines, start = inspect.getsourcelines(module)",
        "tests/test_display.py::returns_the_exact_source",
        "show_source shows the whole module instead of the object",
    ),
    m(
        "sampling-uniform-noise",
        L + "sampling.py",
        "epsilon = keras.random.normal(\n            ops.shape(z_mean),",
        "epsilon = (3**0.5) * keras.random.uniform(\n            ops.shape(z_mean), minval=-1.0,",
        TL + "test_sampling.py::gaussian_not_just",
        "noise with mean 0 and variance 1 that is not Gaussian",
    ),
    m(
        "sampling-unseeded-uses-seed-0",
        L + "sampling.py",
        "self.seed_generator = keras.random.SeedGenerator(seed)",
        "self.seed_generator = keras.random.SeedGenerator(0 if seed is None else seed)",
        TL + "test_sampling.py::unseeded",
        "an unseeded layer silently uses seed 0",
    ),
    m(
        "dropout-destroys-mask",
        L + "custom_dropout.py",
        "self.supports_masking = True",
        "self.supports_masking = False",
        TL + "test_custom_dropout.py::mask_passes",
        "CustomDropout drops the mask of its input",
    ),
    m(
        "data-test-labels-reversed",
        "companion/data.py",
        "    return (x_train, y_train), (x_test, y_test)",
        "    return (x_train, y_train), (x_test, y_test[::-1])",
        "tests/test_data.py::own_label",
        "test images paired with the wrong labels",
    ),
    m(
        "validation-minimum-exclusive",
        "companion/_validation.py",
        "        and value >= minimum",
        "        and value > minimum",
        "tests/test_validation.py::boundary",
        "the lower boundary (rate=0.0, kl_weight=0.0) is rejected",
    ),
    m(
        "validation-message-rounds",
        "companion/_validation.py",
        '{expected}여야 합니다. 받은 값: {name}={value!r}"',
        '{expected}여야 합니다. 받은 값: {name}={value:.3g}"',
        "tests/test_validation.py::boundary",
        "an argument error rounds the value it reports",
    ),
    m(
        "loop-does-not-build",
        "companion/training.py",
        "    if not model.built:\n        model(keras.KerasTensor(",
        "    if False:\n        model(keras.KerasTensor(",
        "tests/test_training.py::unbuilt",
        "train_custom_loop leaves an unbuilt model to its first step",
        backend="jax",
    ),
    m(
        "benchmark-plot-whiskers",
        "companion/plotting.py",
        "xerr=[medians - lows, highs - medians],",
        "xerr=[highs - lows, highs - lows],",
        "tests/test_plotting_benchmark.py::min_max_whiskers",
        "the benchmark figure's whiskers are not the min-max range",
    ),
    # Chapter 13: quantization, export ------------------------------------------------------
    m(
        "quantizable-linear-one-scale",
        L + "quantizable_linear.py",
        "ops.divide(outputs, ops.multiply(x_scale, self.w_scale))",
        "ops.divide(outputs, self.w_scale)",
        TL + "test_quantizable_linear.py::integer_matmul",
        "the int8 path forgets the inputs' scale when it rescales",
    ),
    m(
        "quantizable-linear-float-build",
        L + "quantizable_linear.py",
        "        if mode is None:\n            super().build(input_shape)",
        "        if True:\n            super().build(input_shape)",
        TL + "test_quantizable_linear.py::round_trip",
        "a quantized layer being loaded builds float weights",
    ),
    m(
        "quantizable-block-no-policy-map",
        L + "quantizable_mlp_block.py",
        "        if len(policy_map) > 0:",
        "        if False:",
        TL + "test_quantizable_mlp_block.py::keras_round_trip_after_quantization",
        "the block's config forgets its quantized sub-layers (#21378)",
    ),
    m(
        "quantizable-block-sublayer-policy",
        L + "quantizable_mlp_block.py",
        'QuantizableLinear(n, dtype=self.dtype_policy, name=f"linear_{i}")',
        'QuantizableLinear(n, name=f"linear_{i}")',
        TL + "test_quantizable_mlp_block.py::keras_round_trip_after_quantization",
        "the sub-layers do not take the block's policy (map) when loaded",
    ),
    m(
        "export-summary-keeps-header",
        "companion/export.py",
        'header = re.compile(r"^(Check',
        'header = re.compile(r"^(NEVER',
        "tests/test_export.py::summarize_error",
        "the table's error cell keeps OpenVINO's header line instead of the cause",
    ),
    m(
        "export-batch-never-dynamic",
        "companion/export.py",
        'result["dynamic_batch"] = len(batch_sizes) > 1',
        'result["dynamic_batch"] = False',
        "tests/test_export.py::round_trips_a_working_format",
        "try_export reports every batch axis as fixed",
    ),
    m(
        "checker-13-1-names-unchecked",
        "companion/exercises/chapter13.py",
        "            names == names_again,",
        "            True,",
        "tests/exercises/test_chapter13.py::wrong_composites",
        "exercise 13-1 accepts sub-layers with automatic names",
    ),
    # Chapter 11: several inputs, attention, scan --------------------------------------------
    m(
        "attention-no-scaling",
        L + "multi_head_attention.py",
        'logits = ops.cast(logits, "float32") / math.sqrt(self.key_dim)',
        'logits = ops.cast(logits, "float32")',
        TL + "test_multi_head_attention.py::basics_weights_shapes_and_values",
        "SimpleMultiHeadAttention forgets to divide the logits by sqrt(key_dim)",
    ),
    m(
        "attention-softmax-in-float16",
        L + "multi_head_attention.py",
        'logits = ops.cast(logits, "float32") / math.sqrt(self.key_dim)',
        "logits = logits / math.sqrt(self.key_dim)",
        TL + "test_multi_head_attention.py::mixed_float16_keeps_float32_weights",
        "the softmax runs in the compute dtype (float16 under mixed_float16)",
    ),
    m(
        "attention-mask-ignored",
        L + "multi_head_attention.py",
        "logits = ops.where(ops.expand_dims(mask, axis=1), logits, _MASKED_LOGIT)",
        "logits = logits",
        TL + "test_multi_head_attention.py::masked_keys_get_exactly_zero_weight",
        "the combined mask never reaches the einsum softmax",
    ),
    m(
        "attention-causal-off-by-one",
        L + "multi_head_attention.py",
        "ops.expand_dims(rows >= columns, axis=0)",
        "ops.expand_dims(rows > columns, axis=0)",
        TL + "test_multi_head_attention.py::causal_mask_hides_the_future",
        "the causal mask hides the diagonal too (a query cannot see itself)",
    ),
    m(
        "attention-fused-mask-dropped",
        L + "multi_head_attention.py",
        "            mask = ops.expand_dims(mask, axis=1)\n"
        "        return ops.dot_product_attention",
        "            mask = None\n        return ops.dot_product_attention",
        TL + "test_multi_head_attention.py::fused_implementation_gives_the_same_values",
        "implementation='fused' drops the mask before ops.dot_product_attention",
    ),
    m(
        "fusion-masks-or",
        L + "gated_fusion.py",
        'combined = ops.logical_and(combined, ops.cast(other, "bool"))',
        'combined = ops.logical_or(combined, ops.cast(other, "bool"))',
        TL + "test_gated_fusion.py::two_masks_are_combined_with_and",
        "GatedFusion's output mask is valid where either input is (OR instead of AND)",
    ),
    m(
        "fusion-gate-flipped",
        L + "gated_fusion.py",
        "output = gate * first + (1.0 - gate) * second",
        "output = gate * second + (1.0 - gate) * first",
        TL + "test_gated_fusion.py::basics_values_weights",
        "the gate weighs the wrong input",
    ),
    m(
        "position-embedding-not-added",
        L + "position_embedding.py",
        "return inputs + ops.cast(positions, inputs.dtype)",
        "return inputs",
        TL + "test_position_embedding.py::basics_adds_the_first_rows",
        "PositionEmbedding builds its table but never adds it",
    ),
    m(
        "encoder-no-attention-residual",
        L + "transformer_encoder.py",
        "x = self.attention_norm(inputs + attended)",
        "x = self.attention_norm(attended)",
        TL + "test_transformer_encoder.py::values_follow_add_and_norm",
        "the encoder block drops the residual connection around the attention",
    ),
    m(
        "scan-rnn-carry-dropped",
        L + "scan_rnn.py",
        "            def step(state, x_t):\n"
        "                new_state = self.activation(x_t + ops.matmul(state, "
        "self.recurrent_kernel))",
        "            def step(state, x_t):\n"
        "                new_state = self.activation(x_t + ops.matmul(0.0 * state, "
        "self.recurrent_kernel))",
        TL + "test_scan_rnn.py::the_carry_reaches_the_last_state",
        "ScanRNN's step ignores the state it was handed (the carry is dropped)",
    ),
    m(
        "scan-rnn-mask-ignored",
        L + "scan_rnn.py",
        "new_state = ops.where(keep_t > 0.5, new_state, state)",
        "new_state = new_state",
        TL + "test_scan_rnn.py::matches_simple_rnn_with_the_same_weights",
        "masked steps update the state instead of keeping it",
    ),
]


def _copy_tree(destination):
    for name in ("companion", "tests"):
        shutil.copytree(
            ROOT / name,
            destination / name,
            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
        )
    shutil.copy2(ROOT / "pyproject.toml", destination / "pyproject.toml")


def _pytest(workdir, mutation):
    env = dict(os.environ, PYTHONPATH=str(workdir), PYTHONDONTWRITEBYTECODE="1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if mutation.backend:
        env["KERAS_BACKEND"] = mutation.backend
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    command += [mutation.test_file, "-k", mutation.selection]
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)


def _last_line(output):
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def run(mutations, baseline=False):
    results = []
    with tempfile.TemporaryDirectory(prefix="mutation_check_") as tmp:
        tmp = pathlib.Path(tmp)
        if baseline:
            workdir = tmp / "baseline"
            _copy_tree(workdir)
            for mutation in mutations:
                done = _pytest(workdir, mutation)
                print(f"baseline {mutation.name:40s} {_last_line(done.stdout)}", flush=True)
                if done.returncode != 0:
                    print(done.stdout[-3000:])
                    return 1
        for mutation in mutations:
            workdir = tmp / mutation.name
            _copy_tree(workdir)
            source = workdir / mutation.path
            text = source.read_text()
            count = text.count(mutation.old)
            if count != 1:
                status = f"STALE (the text occurs {count} times in {mutation.path})"
                results.append((mutation, status))
                print(f"{mutation.name:40s} {status}", flush=True)
                continue
            source.write_text(text.replace(mutation.old, mutation.new))
            start = time.perf_counter()
            done = _pytest(workdir, mutation)
            seconds = time.perf_counter() - start
            # 1: a test failed. 2-4 (interrupted, internal or usage error, nothing collected)
            # and 5 (no test ran) mean the check itself is broken, not the mutation caught.
            if done.returncode == 1:
                status = "caught" if not mutation.equivalent else "caught (listed as equivalent!)"
            elif done.returncode == 0:
                status = f"equivalent: {mutation.equivalent}" if mutation.equivalent else "MISSED"
            else:
                status = f"ERROR (pytest exit {done.returncode}): {_last_line(done.stdout)}"
            results.append((mutation, status))
            print(f"{mutation.name:40s} {status:8s} {seconds:5.1f} s", flush=True)
            shutil.rmtree(workdir)
    print()
    print("| mutation | what breaks | test file | tests (`-k`) | result |")
    print("|---|---|---|---|---|")
    for mutation, status in results:
        test_file = mutation.test_file.split("/")[-1]
        row = [f"`{mutation.name}`", mutation.what, f"`{test_file}`", f"`{mutation.selection}`"]
        print("| " + " | ".join([*row, status]) + " |")
    statuses = [status for _, status in results]
    if any(status.startswith(("STALE", "ERROR", "caught (listed")) for status in statuses):
        return 2
    return 1 if "MISSED" in statuses else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only these mutations")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument(
        "--baseline", action="store_true", help="first check that the named tests pass as is"
    )
    args = parser.parse_args()
    by_name = {mutation.name: mutation for mutation in MUTATIONS}
    assert len(by_name) == len(MUTATIONS), "two mutations share a name"
    if args.list:
        for mutation in MUTATIONS:
            print(f"{mutation.name:40s} {mutation.what}")
        return 0
    unknown = [name for name in args.names if name not in by_name]
    if unknown:
        parser.error(f"unknown mutation(s): {', '.join(unknown)}")
    chosen = [by_name[name] for name in args.names] if args.names else MUTATIONS
    return run(chosen, baseline=args.baseline)


if __name__ == "__main__":
    sys.exit(main())
