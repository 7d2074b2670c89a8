using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>How input columns become sequences: bytes, tokenizer ids, truncation, images.</summary>
    public class FeaturizerTests
    {
        private static readonly MLContext _ml = new(seed: 1);

        private static int[] Featurize(string? text, HyenaTextClassificationTrainer.Options options)
        {
            var data = _ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = text, Label = "a" } });
            var featurizer = TextFeaturizer.Create(_ml, data.Schema, options);
            using var cursor = data.GetRowCursor(data.Schema);
            var read = featurizer.MakeReader(cursor);
            Assert.True(cursor.MoveNext());
            return read(0).Tokens!;
        }

        [Fact]
        public void TextIsUtf8BytesShiftedPastPadding()
        {
            var ids = Featurize("aé", new HyenaTextClassificationTrainer.Options());
            Assert.Equal(new[] { 'a' + 1, 0xC3 + 1, 0xA9 + 1 }, ids);
        }

        [Fact]
        public void NullAndEmptyTextAreEmptySequences()
        {
            Assert.Empty(Featurize(null, new HyenaTextClassificationTrainer.Options()));
            Assert.Empty(Featurize("", new HyenaTextClassificationTrainer.Options()));
        }

        [Theory]
        [InlineData(TextTruncation.KeepHead, "abcd")]
        [InlineData(TextTruncation.KeepTail, "ghij")]
        [InlineData(TextTruncation.KeepHeadAndTail, "abij")]
        public void LongTextIsTruncatedAsTheOptionsSay(TextTruncation truncation, string kept)
        {
            var ids = Featurize("abcdefghij", new HyenaTextClassificationTrainer.Options { MaxSequenceLength = 4, Truncation = truncation });
            Assert.Equal(kept.Select(c => c + 1), ids);
        }

        [Fact]
        public void TruncationNeverSplitsACharacterIntoTheKeptBytes()
        {
            // 'é' is two bytes: with 3 kept bytes from the tail the result is the last 3 bytes of "aéé".
            var ids = Featurize("aéé", new HyenaTextClassificationTrainer.Options { MaxSequenceLength = 3, Truncation = TextTruncation.KeepTail });
            Assert.Equal(new[] { 0xA9 + 1, 0xC3 + 1, 0xA9 + 1 }, ids);
        }

        [Theory]
        [InlineData("abcdefghij", 5, "abcij")]
        [InlineData("abcdefghij", 1, "a")]
        [InlineData("abcdefghij", 10, "abcdefghij")]
        [InlineData("abc", 8, "abc")]
        public void HeadAndTailGiveTheHeadTheOddPositionAndKeepShortTextWhole(string text, int maxLength, string kept)
        {
            var ids = Featurize(text, new HyenaTextClassificationTrainer.Options { MaxSequenceLength = maxLength, Truncation = TextTruncation.KeepHeadAndTail });
            Assert.Equal(kept.Select(c => c + 1), ids);
        }

        [Fact]
        public void HeadAndTailCountBytesNotCharacters()
        {
            // "éaaé" is 6 bytes (C3 A9 61 61 C3 A9): 4 kept bytes are the first 2 and the last 2.
            var ids = Featurize("éaaé", new HyenaTextClassificationTrainer.Options { MaxSequenceLength = 4, Truncation = TextTruncation.KeepHeadAndTail });
            Assert.Equal(new[] { 0xC3 + 1, 0xA9 + 1, 0xC3 + 1, 0xA9 + 1 }, ids);
            // Longer than the limit in characters too: only the two ends are encoded.
            var ends = Featurize("éaaaaé", new HyenaTextClassificationTrainer.Options { MaxSequenceLength = 4, Truncation = TextTruncation.KeepHeadAndTail });
            Assert.Equal(new[] { 0xC3 + 1, 0xA9 + 1, 0xC3 + 1, 0xA9 + 1 }, ends);
            // A 3-byte character at the seam: "a€b" is 61 E2 82 AC 62; 3 kept bytes are 61 E2 | 62.
            var seam = Featurize("a€b", new HyenaTextClassificationTrainer.Options { MaxSequenceLength = 3, Truncation = TextTruncation.KeepHeadAndTail });
            Assert.Equal(new[] { 'a' + 1, 0xE2 + 1, 'b' + 1 }, seam);
        }

        [Fact]
        public void TiktokenIdsAreUsedAndTruncated()
        {
            var gpt2 = TiktokenTokenizer.CreateForModel("gpt2");
            var expected = gpt2.EncodeToIds("Hello world, this is Hyena.").Select(i => i + 1).ToArray();
            Assert.Equal(expected, Featurize("Hello world, this is Hyena.", new HyenaTextClassificationTrainer.Options { Tokenizer = gpt2 }));
            var tail = Featurize("Hello world, this is Hyena.", new HyenaTextClassificationTrainer.Options { Tokenizer = gpt2, MaxSequenceLength = 3, Truncation = TextTruncation.KeepTail });
            Assert.Equal(expected[^3..], tail);
            var both = Featurize("Hello world, this is Hyena.", new HyenaTextClassificationTrainer.Options { Tokenizer = gpt2, MaxSequenceLength = 3, Truncation = TextTruncation.KeepHeadAndTail });
            Assert.Equal(expected[..2].Concat(expected[^1..]), both);
            var whole = Featurize("Hello world, this is Hyena.", new HyenaTextClassificationTrainer.Options { Tokenizer = gpt2, MaxSequenceLength = expected.Length, Truncation = TextTruncation.KeepHeadAndTail });
            Assert.Equal(expected, whole);
            var one = Featurize("Hello world, this is Hyena.", new HyenaTextClassificationTrainer.Options { Tokenizer = gpt2, MaxSequenceLength = 1, Truncation = TextTruncation.KeepHeadAndTail });
            Assert.Equal(expected[..1], one);
        }

        [Fact]
        public void AnUnsupportedTokenizerIsRefusedNamingTheOption()
        {
            var data = _ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "x", Label = "a" } });
            var options = new HyenaTextClassificationTrainer.Options { Tokenizer = new WhitespaceOnly() };
            var error = Assert.Throws<NotSupportedException>(() => TextFeaturizer.Create(_ml, data.Schema, options));
            Assert.Contains("Options.Tokenizer", error.Message);
        }

        private sealed class WhitespaceOnly : Tokenizer
        {
            public override System.Buffers.OperationStatus Decode(System.Collections.Generic.IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
                => throw new NotSupportedException();

            protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
                => throw new NotSupportedException();
        }

        [Fact]
        public void ImagesAreResizedAndConvertedToGray()
        {
            // A 4 x 2 RGBA image: left half white, right half black; resized to 2 x 1 gray.
            var pixels = new byte[4 * 2 * 4];
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 4; x++)
                    for (int c = 0; c < 3; c++)
                        pixels[(y * 4 + x) * 4 + c] = x < 2 ? (byte)255 : (byte)0;
            for (int i = 3; i < pixels.Length; i += 4)
                pixels[i] = 255;
            using var image = MLImage.CreateFromPixels(4, 2, MLPixelFormat.Rgba32, pixels);
            var gray = ImageResampler.ToPixels(image, 1, 2, 1);
            Assert.Equal(1f, gray[0], 3);
            Assert.Equal(0f, gray[1], 3);
            var rgb = ImageResampler.ToPixels(image, 1, 2, 3);
            Assert.Equal(new[] { 1f, 1f, 1f, 0f, 0f, 0f }, rgb.Select(v => (float)Math.Round(v, 3)));
        }
    }
}
