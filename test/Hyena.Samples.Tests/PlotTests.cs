using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;

namespace Hyena.Samples.Tests
{
    public class PlotTests
    {
        private static readonly byte[] _pngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

        [Fact]
        public void TrainingCurveWritesAPng()
        {
            using var folder = new TemporaryFolder();
            var curve = new TrainingCurvePlot("Fashion-MNIST");
            double[] loss = { 2.1, 1.4, 1.1, 0.95, 0.86, 0.8 };
            for (int e = 0; e < loss.Length; e++)
                curve.AddEpoch(e + 1, loss[e], e == 2 ? null : 0.78 + (0.02 * e));
            string path = folder.Combine("plots", "curve.png");

            curve.SavePng(path, 800, 480);

            byte[] png = File.ReadAllBytes(path);
            AssertPng(png, 800, 480);
            Assert.Equal(6, curve.EpochCount);
        }

        [Fact]
        public void LinePlotWritesAPngWithLogScales()
        {
            var plot = new LinePlot("Time versus length", "Sequence length", "Seconds") { LogScaleX = true, LogScaleY = true };
            plot.AddSeries("Hyena", new double[] { 1024, 2048, 4096, 8192 }, new double[] { 0.01, 0.02, 0.04, 0.08 });
            plot.AddSeries("Attention", new double[] { 1024, 2048, 4096 }, new[] { 0.01, 0.04, double.NaN });

            AssertPng(plot.RenderPng(640, 400), 640, 400);
        }

        [Fact]
        public void TrainingCurveUsesLossAndAccuracyAxes()
        {
            var curve = new TrainingCurvePlot();
            curve.AddEpoch(1, 0.9, 0.5);
            curve.AddEpoch(2, 0.7);

            LinePlot plot = curve.ToLinePlot();

            Assert.Equal("Epoch", plot.XLabel);
            Assert.Equal("Training loss", plot.YLabel);
            Assert.Equal("Validation accuracy (%)", plot.RightYLabel);
            Assert.Equal(2, plot.Series.Count);
            Assert.Equal(new[] { 0.9, 0.7 }, plot.Series[0].Y);
            Assert.True(plot.Series[1].OnRightAxis);
            Assert.Equal(new[] { 50.0 }, plot.Series[1].Y);
            Assert.Throws<ArgumentOutOfRangeException>(() => curve.AddEpoch(3, 0.6, 87.0));
        }

        [Fact]
        public void SeriesRejectsMismatchedLengths()
        {
            var plot = new LinePlot("t", "x", "y");
            Assert.Equal("y", Assert.Throws<ArgumentException>(() => plot.AddSeries("s", new double[] { 1, 2 }, new double[] { 1 })).ParamName);
        }

        private static void AssertPng(byte[] png, int width, int height)
        {
            Assert.Equal(_pngSignature, png.Take(8));
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
            Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
            // A blank canvas compresses to a few hundred bytes; axes, text and lines take far more.
            Assert.True(png.Length > 10_000, $"PNG of only {png.Length} bytes");
        }
    }
}
