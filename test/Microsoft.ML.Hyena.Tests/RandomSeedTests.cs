using System;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Seeding libtorch's generators for a training device.</summary>
    public class RandomSeedTests
    {
        [Fact]
        public void TheSameSeedGivesTheSameDrawsAndDropoutMasks()
        {
            Tensor Draw(long seed)
            {
                RandomSeed.Set(seed, CPU);
                using var dropout = nn.Dropout(0.5);
                using var all = ones(1000);
                return cat(new[] { rand(8), dropout.call(all) });
            }
            using var a = Draw(5);
            using var b = Draw(5);
            using var c = Draw(6);
            Assert.True(a.eq(b).all().item<bool>());
            Assert.False(a.eq(c).all().item<bool>());
        }

        [Fact]
        public void ANullDeviceIsRefusedByName()
        {
            var e = Assert.Throws<ArgumentNullException>(() => RandomSeed.Set(1, null!));
            Assert.Equal("device", e.ParamName);
        }
    }
}
