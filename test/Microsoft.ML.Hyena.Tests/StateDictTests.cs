using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Hyena.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    public class StateDictTests
    {
        private static HyenaOperator NewOperator(long seed, int innerMlps = 2)
        {
            manual_seed(seed);
            return new HyenaOperator(new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 32, FilterOrder = 16, InnerMlpCount = innerMlps });
        }

        [Fact]
        public void ExportUsesExactlyTheReferenceNames()
        {
            using var op = NewOperator(1);
            var expected = new[]
            {
                "in_proj.weight", "in_proj.bias", "out_proj.weight", "out_proj.bias",
                "short_filter.weight", "short_filter.bias",
                "filter_fn.bias", "filter_fn.pos_emb.z", "filter_fn.pos_emb.t",
                "filter_fn.implicit_filter.0.weight", "filter_fn.implicit_filter.0.bias", "filter_fn.implicit_filter.1.freq",
                "filter_fn.implicit_filter.2.weight", "filter_fn.implicit_filter.2.bias", "filter_fn.implicit_filter.3.freq",
                "filter_fn.implicit_filter.4.weight", "filter_fn.implicit_filter.4.bias", "filter_fn.implicit_filter.5.freq",
                "filter_fn.implicit_filter.6.weight", "filter_fn.modulation.deltas",
            };
            Assert.Equal(expected.OrderBy(n => n), StateDict.Export(op).Keys.OrderBy(n => n));
            // The shared Sin is one parameter: listed once among the parameters.
            Assert.Single(op.named_parameters(), p => p.name.EndsWith(".freq", StringComparison.Ordinal));
        }

        [Fact]
        public void SafetensorsRoundTripRestoresTheOutput()
        {
            string path = Path.Combine(Path.GetTempPath(), $"hyena-{Guid.NewGuid():N}.safetensors");
            try
            {
                using var scope = NewDisposeScope();
                var source = NewOperator(1);
                StateDict.Save(source, path, new Dictionary<string, string> { ["note"] = "test" });
                var target = NewOperator(2);
                var x = randn(2, 20, 8);
                Assert.False(target.call(x).allclose(source.call(x)));
                StateDict.Load(target, path);
                Assert.True(target.call(x).allclose(source.call(x), rtol: 0, atol: 0));
                using var content = Safetensors.Read(path);
                Assert.Equal("test", content.Metadata["note"]);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void MissingTensorIsNamed()
        {
            using var scope = NewDisposeScope();
            var op = NewOperator(1);
            var state = StateDict.Export(NewOperator(2));
            state.Remove("out_proj.bias");
            var error = Assert.Throws<InvalidDataException>(() => StateDict.Load(op, state));
            Assert.Contains("missing tensor 'out_proj.bias'", error.Message);
        }

        [Fact]
        public void UnexpectedTensorIsNamed()
        {
            using var scope = NewDisposeScope();
            var op = NewOperator(1);
            var state = StateDict.Export(NewOperator(2));
            state["extra.weight"] = zeros(3);
            var error = Assert.Throws<InvalidDataException>(() => StateDict.Load(op, state));
            Assert.Contains("unexpected tensor 'extra.weight'", error.Message);
        }

        [Fact]
        public void MisshapenTensorIsNamedWithBothShapes()
        {
            using var scope = NewDisposeScope();
            var op = NewOperator(1);
            var before = op.call(ones(1, 4, 8));
            var state = StateDict.Export(NewOperator(2));
            state["in_proj.weight"] = zeros(24, 7);
            var error = Assert.Throws<InvalidDataException>(() => StateDict.Load(op, state));
            Assert.Contains("'in_proj.weight' has shape [24, 7] but the module expects [24, 8]", error.Message);
            // Nothing was changed by the failed load.
            Assert.True(op.call(ones(1, 4, 8)).allclose(before, rtol: 0, atol: 0));
        }

        [Fact]
        public void DifferingCopiesOfTheSharedFrequencyAreRefused()
        {
            using var scope = NewDisposeScope();
            var op = NewOperator(1);
            var state = StateDict.Export(NewOperator(2));
            state["filter_fn.implicit_filter.3.freq"] = state["filter_fn.implicit_filter.1.freq"] + 1;
            var error = Assert.Throws<InvalidDataException>(() => StateDict.Load(op, state));
            Assert.Contains("implicit_filter.3.freq", error.Message);
        }

        [Fact]
        public void NonStrictLoadAcceptsAPartialState()
        {
            using var scope = NewDisposeScope();
            var op = NewOperator(1);
            var donor = NewOperator(2);
            var state = new Dictionary<string, Tensor> { ["out_proj.bias"] = StateDict.Export(donor)["out_proj.bias"] };
            StateDict.Load(op, state, strict: false);
            Assert.True(StateDict.Export(op)["out_proj.bias"].allclose(state["out_proj.bias"]));
        }

        [Fact]
        public void TruncatedFileIsAClearError()
        {
            string path = Path.Combine(Path.GetTempPath(), $"hyena-{Guid.NewGuid():N}.safetensors");
            try
            {
                using var op = NewOperator(1);
                StateDict.Save(op, path);
                var bytes = File.ReadAllBytes(path);
                File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 10).ToArray());
                var error = Assert.Throws<InvalidDataException>(() => StateDict.Load(op, path));
                Assert.Contains("truncated", error.Message);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void OptimizerHintsFollowTheReference()
        {
            using var op = NewOperator(1);
            var hints = OptimizerHints.Collect(op);
            var named = op.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            Assert.Equal(new OptimizerHint(1e-3, 0), hints[named["filter_fn.implicit_filter.0.weight"].Handle]);
            Assert.Equal(new OptimizerHint(1e-3, 0), hints[named["filter_fn.implicit_filter.1.freq"].Handle]);
            Assert.Equal(new OptimizerHint(1e-5, 0), hints[named["filter_fn.pos_emb.z"].Handle]);
            Assert.False(hints.ContainsKey(named["in_proj.weight"].Handle));
            Assert.False(hints.ContainsKey(named["filter_fn.bias"].Handle));
        }

        [Fact]
        public void ZeroPositionalEmbeddingLearningRateMakesZABuffer()
        {
            using var op = new HyenaOperator(new HyenaOperatorConfig { ModelDimension = 4, MaxLength = 8, FilterOrder = 4, PositionalEmbeddingLearningRate = 0 });
            Assert.DoesNotContain(op.named_parameters(), p => p.name == "filter_fn.pos_emb.z");
            Assert.Contains("filter_fn.pos_emb.z", StateDict.Export(op).Keys);
        }
    }
}
