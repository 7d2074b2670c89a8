using System;
using System.Linq;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>libtorch's process-wide switch for deterministic algorithms, held while any holder needs it.</summary>
    [Collection("DeterministicAlgorithms")]   // the switch is process-wide
    public class DeterministicAlgorithmsTests
    {
        [Fact]
        public void EnableTurnsTheSwitchOnUntilTheLastHolderIsDone()
        {
            Assert.False(DeterministicAlgorithms.Enabled);
            var first = DeterministicAlgorithms.Enable(CPU);
            Assert.True(DeterministicAlgorithms.Enabled);
            var second = DeterministicAlgorithms.Enable(CPU);
            first.Dispose();
            Assert.True(DeterministicAlgorithms.Enabled);                          // the second holder keeps it on
            first.Dispose();                                                      // a second Dispose releases nothing more
            Assert.True(DeterministicAlgorithms.Enabled);
            second.Dispose();
            Assert.False(DeterministicAlgorithms.Enabled);                         // back to what it was before the first
        }

        [Fact]
        public void HoldersOnSeveralThreadsLeaveItOffWhenAllAreDone()
        {
            Parallel.For(0, 16, _ =>
            {
                using var held = DeterministicAlgorithms.Enable(CPU);
                Assert.True(DeterministicAlgorithms.Enabled);
            });
            Assert.False(DeterministicAlgorithms.Enabled);
        }

        [Fact]
        public void AnOperationRunsWithTheSwitchOn()
        {
            using var scope = NewDisposeScope();
            using var held = DeterministicAlgorithms.Enable(CPU);
            var x = randn(4, 8).requires_grad_(true);
            var index = tensor(new long[] { 0, 2, 0, 1 });
            zeros(3, 8).index_add(0, index, x, 1).sum().backward();                   // on the CPU deterministic either way
            Assert.Equal(Enumerable.Repeat(1f, 32), x.grad!.data<float>().ToArray());
        }

        [Fact]
        public void OnlyCublasDeterministicWorkspacesAreAccepted()
        {
            Assert.Null(DeterministicAlgorithms.CheckCublasWorkspaceConfig(null));       // unset: Enable sets ':4096:8'
            Assert.Null(DeterministicAlgorithms.CheckCublasWorkspaceConfig(":4096:8"));
            Assert.Null(DeterministicAlgorithms.CheckCublasWorkspaceConfig(":16:8"));
            var problem = DeterministicAlgorithms.CheckCublasWorkspaceConfig(":0:0");
            Assert.NotNull(problem);
            Assert.Contains(DeterministicAlgorithms.CublasWorkspaceVariable, problem);
            Assert.Contains("':0:0'", problem);
            Assert.Contains("':4096:8'", problem);
        }

        [Fact]
        public void ADeviceIsRequired()
            => Assert.Equal("device", Assert.Throws<ArgumentNullException>(() => DeterministicAlgorithms.Enable(null!)).ParamName);
    }
}
