using System;
using System.Collections.Generic;
using Microsoft.ML.Hyena.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// Every execution path of the operator (reference composition, shifted short filter, the kernel
    /// switch's CPU formulas, the cached inference spectrum) against the reference fixtures. Kept apart
    /// from <see cref="OperatorParityTests"/> so that filtering on "Parity" runs one case per fixture.
    /// </summary>
    public class ExecutionPathFixtureTests
    {
        public static IEnumerable<object[]> FixturesOnEveryPath()
        {
            foreach (var fixture in ReferenceFixtures.Names())
                foreach (var path in new[] { "reference", "shifted-short-filter", "kernel-switch" })
                    yield return new object[] { fixture[0], path };
        }

        public static IEnumerable<object[]> Fixtures() => ReferenceFixtures.Names();

        [Theory]
        [MemberData(nameof(FixturesOnEveryPath))]
        public void MatchesTheReferenceFixture(string fixture, string path)
            => ReferenceFixtures.Check(fixture, op => Configure(op, path), $" ({path} path)");

        [Theory]
        [MemberData(nameof(Fixtures))]
        public void CachedInferenceMatchesTheReferenceFixture(string fixture)
        {
            using var scope = NewDisposeScope();
            using var content = ReferenceFixtures.Read(fixture);
            var t = content.Tensors;
            using var op = ReferenceFixtures.Operator(content);
            op.CacheFilterSpectrum = true;
            using var noGrad = no_grad();
            for (int pass = 0; pass < 2; pass++)
                TensorAssert.Close(op.call(t["input"]), t["output"], ReferenceFixtures.OutputTolerance, $"{fixture}: cached output, pass {pass}");
            Assert.Equal(1, op.CachedSpectrumCount);
        }

        private static void Configure(HyenaOperator op, string path)
        {
            switch (path)
            {
                case "reference":
                    op.UseReferencePath();
                    break;
                case "shifted-short-filter":
                    op.ShortFilterImplementation = ShortFilterImplementation.ShiftedMultiplyAdd;
                    op.FoldSkipTerm = true;
                    break;
                case "kernel-switch":   // on the CPU: the custom autograd node with composed formulas
                    op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel;
                    op.FoldSkipTerm = true;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(path), path, "unknown path");
            }
        }
    }
}
