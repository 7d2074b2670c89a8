using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>The moving average of the weights: its formula, the swap, and the option's checks.</summary>
    public class WeightAveragingTests
    {
        [Fact]
        public void TheAverageFollowsTheFormulaAndSwapsBothWays()
        {
            using var scope = NewDisposeScope();
            using var model = nn.Linear(2, 1);
            using (no_grad())
            {
                model.weight!.copy_(tensor(new float[,] { { 1, 1 } }));
                model.bias!.copy_(tensor(new float[] { 0 }));
            }
            using var averaging = new WeightAveraging(model, decay: 0.5);
            double expected = 1; // the average starts at the initial weights
            foreach (float value in new float[] { 3, 5, 9, 2, 7, 4, 6, 8, 10, 12, 20 })
            {
                using (no_grad())
                    model.weight!.fill_(value);
                double d = averaging.NextDecay;
                Assert.Equal(Math.Min(0.5, (2.0 + averaging.Updates) / (11.0 + averaging.Updates)), d, 12);
                averaging.Update();
                expected = d * expected + (1 - d) * value;
            }
            Assert.Equal(11, averaging.Updates);

            averaging.Swap();
            Assert.Equal(expected, model.weight!.data<float>()[0], 4);
            Assert.Equal(0f, model.bias!.data<float>()[0]);
            averaging.Swap();
            Assert.Equal(20f, model.weight!.data<float>()[0]); // the trained weights are back
        }

        [Fact]
        public void EarlyUpdatesUseALowerDecay()
        {
            using var scope = NewDisposeScope();
            using var model = nn.Linear(2, 1);
            using var averaging = new WeightAveraging(model, decay: 0.999);
            Assert.Equal(2.0 / 11.0, averaging.NextDecay, 12); // the first update mostly takes the trained weights
        }

        [Theory]
        [InlineData(0.0)]
        [InlineData(1.0)]
        [InlineData(double.NaN)]
        public void ADecayOutsideTheOpenIntervalIsRefused(double decay)
        {
            using var model = nn.Linear(2, 1);
            Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAveraging(model, decay));
        }

        [Theory]
        [InlineData(-0.1)]
        [InlineData(1.0)]
        [InlineData(double.NaN)]
        public void TheOptionIsCheckedAndNamed(double decay)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Microsoft.ML.MLContext().MulticlassClassification.Trainers.HyenaTextClassification(
                new HyenaTextClassificationTrainer.Options { WeightAveragingDecay = decay }));
            Assert.Equal("WeightAveragingDecay", error.ParamName);
        }
    }
}
