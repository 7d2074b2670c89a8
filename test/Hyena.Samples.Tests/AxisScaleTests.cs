using System;
using System.Linq;

namespace Hyena.Samples.Tests
{
    public class AxisScaleTests
    {
        [Fact]
        public void LinearTicksAreNiceAndCoverTheData()
        {
            AxisScale scale = AxisScale.Create(new[] { 0.68, 2.1 }, logScale: false, integerTicks: false);

            Assert.True(scale.Min < 0.68 && scale.Max > 2.1);
            Assert.Equal(new[] { "0.75", "1.00", "1.25", "1.50", "1.75", "2.00" }, scale.MajorTicks.Select(t => t.Label));
            Assert.Empty(scale.MinorTicks);
        }

        [Fact]
        public void IntegerTicksForEpochs()
        {
            AxisScale scale = AxisScale.Create(new double[] { 1, 2, 3 }, logScale: false, integerTicks: true);
            Assert.Equal(new[] { "1", "2", "3" }, scale.MajorTicks.Select(t => t.Label));
        }

        [Fact]
        public void LogTicksArePowersOfTenWithMinorTicks()
        {
            AxisScale scale = AxisScale.Create(new[] { Math.Log10(1024), Math.Log10(32768) }, logScale: true, integerTicks: false);

            Assert.Equal(new[] { "1,000", "10,000" }, scale.MajorTicks.Select(t => t.Label));
            Assert.Contains(scale.MinorTicks, v => Math.Abs(v - Math.Log10(2000)) < 1e-9);
            Assert.Contains(scale.MinorTicks, v => Math.Abs(v - Math.Log10(30000)) < 1e-9);
            Assert.DoesNotContain(scale.MinorTicks, v => Math.Abs(v - 4) < 1e-9);
        }

        [Fact]
        public void LogTicksWithinOneDecadeUseOneTwoFive()
        {
            AxisScale scale = AxisScale.Create(new[] { Math.Log10(1.1), Math.Log10(6) }, logScale: true, integerTicks: false);
            Assert.Equal(new[] { "2", "5" }, scale.MajorTicks.Select(t => t.Label));
        }

        [Fact]
        public void SingleValueAndNoValueStillGiveARange()
        {
            AxisScale one = AxisScale.Create(new[] { 3.0 }, logScale: false, integerTicks: false);
            AxisScale none = AxisScale.Create(Array.Empty<double>(), logScale: false, integerTicks: false);

            Assert.True(one.Min < 3 && one.Max > 3);
            Assert.NotEmpty(one.MajorTicks);
            Assert.True(none.Min < 0 && none.Max > 1);
        }

        [Fact]
        public void ChartFontCanDrawText()
        {
            Assert.True(PlotFonts.Regular.ContainsGlyphs("Validation accuracy (%) 0.5"), $"font '{PlotFonts.Regular.FamilyName}' lacks glyphs");
            Assert.True(PlotFonts.Bold.ContainsGlyphs("Epoch"));
        }
    }
}
