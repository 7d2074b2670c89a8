using System;
using System.Collections.Generic;

namespace Hyena.Samples
{
    /// <summary>
    /// The fixed token ids of ListOps: 0 padding ("&lt;pad&gt;"), 1 to 10 the digits "0" to "9", 11 "[MIN",
    /// 12 "[MAX", 13 "[MED", 14 "[SM" and 15 "]" (16 ids in all).
    /// </summary>
    public static class ListOpsVocabulary
    {
        /// <summary>The padding token.</summary>
        public const string PaddingToken = "<pad>";

        /// <summary>The padding id.</summary>
        public const int PaddingId = 0;

        /// <summary>The minimum operator's token.</summary>
        public const string MinToken = "[MIN";

        /// <summary>The maximum operator's token.</summary>
        public const string MaxToken = "[MAX";

        /// <summary>The median operator's token (the median of an even count is the mean of the two middle values, rounded down).</summary>
        public const string MedianToken = "[MED";

        /// <summary>The sum-modulo-10 operator's token.</summary>
        public const string SumModToken = "[SM";

        /// <summary>The token that closes an operator.</summary>
        public const string CloseToken = "]";

        /// <summary>The id of the digit 0; digit d has id <c>FirstDigitId + d</c>.</summary>
        public const int FirstDigitId = 1;

        /// <summary>The id of "[MIN".</summary>
        public const int MinId = 11;

        /// <summary>The id of "[MAX".</summary>
        public const int MaxId = 12;

        /// <summary>The id of "[MED".</summary>
        public const int MedianId = 13;

        /// <summary>The id of "[SM".</summary>
        public const int SumModId = 14;

        /// <summary>The id of "]".</summary>
        public const int CloseId = 15;

        /// <summary>The number of ids.</summary>
        public const int Size = 16;

        private static readonly string[] _tokens =
        {
            PaddingToken, "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", MinToken, MaxToken, MedianToken, SumModToken, CloseToken,
        };

        /// <summary>The tokens, indexed by id.</summary>
        public static IReadOnlyList<string> Tokens => _tokens;

        /// <summary>Returns a token's id.</summary>
        /// <param name="token">A token of <see cref="Tokens"/>.</param>
        /// <returns>Its id.</returns>
        public static int GetId(string token)
        {
            ArgumentNullException.ThrowIfNull(token);
            int id = Array.IndexOf(_tokens, token);
            if (id < 0)
                throw new ArgumentException($"'{token}' is not a ListOps token; the tokens are {string.Join(" ", _tokens)}.", nameof(token));
            return id;
        }

        /// <summary>Returns the token of an id.</summary>
        /// <param name="id">An id in [0, <see cref="Size"/>).</param>
        /// <returns>The token.</returns>
        public static string GetToken(int id)
        {
            if ((uint)id >= Size)
                throw new ArgumentOutOfRangeException(nameof(id), id, $"ListOps ids are 0 to {Size - 1}.");
            return _tokens[id];
        }

        /// <summary>Encodes tokens as ids, padded with <see cref="PaddingId"/> at the end to a fixed length.</summary>
        /// <param name="tokens">The tokens.</param>
        /// <param name="length">The length of the result; the token count when negative. Never truncates: a longer sequence is an error.</param>
        /// <returns>The ids.</returns>
        public static int[] Encode(IReadOnlyList<string> tokens, int length = -1)
        {
            ArgumentNullException.ThrowIfNull(tokens);
            if (length >= 0 && tokens.Count > length)
                throw new ArgumentOutOfRangeException(nameof(length), length, $"The sequence has {tokens.Count} tokens, more than the length {length}; truncating would change its answer.");

            var ids = new int[length < 0 ? tokens.Count : length];
            for (int i = 0; i < tokens.Count; i++)
                ids[i] = GetId(tokens[i]);
            return ids;
        }
    }
}
