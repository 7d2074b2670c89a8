using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Hyena.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// FusedAdamW: its CUDA kernel run on the CPU (Emulation/AdamWStep.cpp compiles <see cref="AdamWStepKernel.Source"/>
    /// with g++ and checks five steps against AdamW's update in double precision), and the optimizer itself on the CPU,
    /// where every parameter steps by AdamW's own operations. The GPU check is Hyena.Benchmarks check-libtorch ("fused
    /// AdamW step": the kernel against TorchSharp's AdamW on CUDA).
    /// </summary>
    public class AdamWStepTests
    {
        [Fact]
        public void TheKernelSourceStepsAsAdamW()
        {
            var (exit, output) = KernelEmulation.Run("AdamWStep.cpp", AdamWStepKernel.Source);
            Assert.True(exit == 0, "the emulated kernel differs from AdamW's update:\n" + output);
            Assert.Contains("n=1000 lr=0.001 wd=0.01 wrong=0 grids differ=0", output);
            Assert.Contains("n=37 lr=0.01 wd=0 wrong=0 grids differ=0", output);
            Assert.Contains("n=1 lr=1e-05 wd=0.1 wrong=0 grids differ=0", output);
            Assert.Contains("wrong 0", output);
        }

        [Fact]
        public void OnTheCpuItStepsExactlyAsAdamW()
        {
            using var scope = NewDisposeScope();
            (List<Parameter> Decayed, List<Parameter> Plain) Make()
            {
                manual_seed(3);
                return (new List<Parameter> { new(randn(5, 7)), new(randn(3)) }, new List<Parameter> { new(randn(4)), new(randn(2, 2)) });
            }
            AdamW Build(bool fused, (List<Parameter> Decayed, List<Parameter> Plain) p)
            {
                var groups = new[]
                {
                    new AdamW.ParamGroup(p.Decayed, new AdamW.Options { LearningRate = 1e-2, weight_decay = 0.1 }),
                    new AdamW.ParamGroup(p.Plain, new AdamW.Options { LearningRate = 3e-3, weight_decay = 0 }),
                };
                return fused ? new FusedAdamW(groups, 1e-2, weightDecay: 0.1) : new AdamW(groups, 1e-2, weight_decay: 0.1);
            }
            var a = Make();
            var b = Make();
            using var reference = Build(false, a);
            using var fused = Build(true, b);
            for (int step = 0; step < 4; step++)
            {
                manual_seed(10 + step);
                var grads = a.Decayed.Concat(a.Plain).Select(p => randn(p.shape)).ToList();
                var all = (A: a.Decayed.Concat(a.Plain).ToList(), B: b.Decayed.Concat(b.Plain).ToList());
                for (int i = 0; i < grads.Count; i++)
                {
                    // the last parameter has no gradient in step 2: both optimizers leave it as it is
                    all.A[i].grad = step == 2 && i == grads.Count - 1 ? null : grads[i].clone();
                    all.B[i].grad = step == 2 && i == grads.Count - 1 ? null : grads[i].clone();
                }
                reference.step();
                fused.step();
                for (int i = 0; i < grads.Count; i++)
                    Assert.True(all.A[i].eq(all.B[i]).all().item<bool>(), $"parameter {i} after step {step + 1}");
            }
            // zero_grad leaves no gradient (AdamW's leaves zeros), and a backward pass then hands its gradient over.
            fused.zero_grad();
            Assert.All(b.Decayed.Concat(b.Plain), p => Assert.Null(p.grad));
            (b.Decayed[0] * 3).sum().backward();
            Assert.True(b.Decayed[0].grad!.eq(full(b.Decayed[0].shape, 3f)).all().item<bool>());
        }
    }
}
