using System;
using Microsoft.ML.Hyena;

namespace Hyena.Samples.Tests
{
    /// <summary>Command-line options of the samples: values, defaults and errors that name the option.</summary>
    public class SampleArgumentsTests
    {
        [Fact]
        public void ValuesAndDefaultsAreRead()
        {
            var options = new SampleArguments("s", new[] { "--epochs", "3", "--pooling", "max", "--no-baselines" });
            Assert.Equal(3, options.Int("epochs", 1, "e"));
            Assert.Equal(2.5, options.Double("rate", 2.5, "r"));
            Assert.Equal(HyenaPooling.Max, options.Enum("pooling", HyenaPooling.Mean, "p"));
            Assert.Equal(TextTruncation.KeepHead, options.Enum("truncation", TextTruncation.KeepHead, "t"));
            Assert.True(options.Flag("no-baselines", "b"));
            Assert.True(options.Validate());
        }

        [Theory]
        [InlineData("Median")]
        [InlineData("7")]
        public void AnUnknownEnumValueNamesTheOptionAndTheChoices(string value)
        {
            var options = new SampleArguments("s", new[] { "--pooling", value });
            var error = Assert.Throws<ArgumentException>(() => options.Enum("pooling", HyenaPooling.Mean, "p"));
            Assert.Contains("--pooling", error.Message);
            Assert.Contains("Mean, Last, Max", error.Message);
        }

        [Fact]
        public void AnUnknownOptionIsRefused()
        {
            var options = new SampleArguments("s", new[] { "--epoch", "3" });
            options.Int("epochs", 1, "e");
            var error = Assert.Throws<ArgumentException>(() => options.Validate());
            Assert.Contains("--epoch", error.Message);
        }
    }
}
