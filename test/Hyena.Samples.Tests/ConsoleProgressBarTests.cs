using System;
using System.IO;
using System.Linq;

namespace Hyena.Samples.Tests
{
    public class ConsoleProgressBarTests
    {
        [Fact]
        public void RedirectedOutputGetsOnePlainLinePerEpoch()
        {
            var writer = new StringWriter();
            var bar = new ConsoleProgressBar(writer, interactive: false);

            for (int epoch = 1; epoch <= 2; epoch++)
            {
                for (int step = 1; step <= 50; step++)
                    bar.Update(epoch, 2, step, 50, 0.5, 0.8, 12_345, TimeSpan.FromSeconds(75));
                bar.CompleteEpoch(epoch, 2, 0.4321, 0.875, 12_345, TimeSpan.FromSeconds(61), TimeSpan.FromSeconds(3725), epoch == 2 ? 0.9 : null);
            }

            string[] lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.DoesNotContain('\r', writer.ToString().Replace(Environment.NewLine, "\n"));
            Assert.Equal("epoch 1/2  loss 0.4321  acc 87.50%  12.3k tok/s  took 1:01  left 1:02:05", lines[0]);
            Assert.Equal("epoch 2/2  loss 0.4321  acc 87.50%  12.3k tok/s  val acc 90.00%  took 1:01  left 1:02:05", lines[1]);
        }

        [Fact]
        public void TerminalOutputRedrawsInPlace()
        {
            var writer = new StringWriter();
            var bar = new ConsoleProgressBar(writer, interactive: true, barWidth: 10, minimumRedrawInterval: TimeSpan.Zero);

            bar.Update(1, 3, 5, 10, 1.23456, 0.5, 2_500_000, TimeSpan.FromSeconds(30));
            bar.Update(1, 3, 10, 10, 1.0, 0.625, 2_500_000, TimeSpan.FromSeconds(20));
            bar.CompleteEpoch(1, 3, 1.0, 0.625, 2_500_000, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), 0.7);

            string output = writer.ToString();
            string[] frames = output.Split('\r', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, frames.Length);
            Assert.Equal("epoch 1/3 [#####-----] step 5/10  loss 1.2346  acc 50.00%  2.50M tok/s  left 0:30", frames[0]);
            Assert.StartsWith("epoch 1/3 [##########] step 10/10", frames[1]);
            Assert.StartsWith("epoch 1/3  loss 1.0000  acc 62.50%  2.50M tok/s  val acc 70.00%  took 0:10  left 0:20", frames[2]);
            Assert.EndsWith(Environment.NewLine, output);
            Assert.Single(output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        }

        [Fact]
        public void ShorterLinesBlankOutTheRestOfTheLongerOne()
        {
            var writer = new StringWriter();
            var bar = new ConsoleProgressBar(writer, interactive: true, barWidth: 0, minimumRedrawInterval: TimeSpan.Zero);

            bar.Update(1, 1, 1, 0, 1.0, 0.5, 1e6, TimeSpan.FromHours(2));
            bar.Update(1, 1, 2, 0, 1.0, double.NaN, double.NaN, TimeSpan.FromSeconds(1));

            string[] frames = writer.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(frames[0].Length, frames[1].Length);
            Assert.EndsWith("left 0:01 ", frames[1].TrimEnd() + " ");
            Assert.DoesNotContain("acc", frames[1]);
        }

        [Theory]
        [InlineData(0, "0:00")]
        [InlineData(59.6, "1:00")]
        [InlineData(3599, "59:59")]
        [InlineData(3600, "1:00:00")]
        [InlineData(-1, "?")]
        public void FormatsDurations(double seconds, string expected)
        {
            Assert.Equal(expected, ConsoleProgressBar.FormatDuration(TimeSpan.FromSeconds(seconds)));
        }
    }
}
