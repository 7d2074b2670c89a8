using System;
using System.Collections.Generic;

namespace Hyena.Samples
{
    /// <summary>One ListOps example: a nested expression as tokens, and its value.</summary>
    public sealed class ListOpsExample
    {
        private readonly string[] _tokens;

        /// <summary>Creates an example.</summary>
        /// <param name="tokens">The expression's tokens, such as "[MAX", "2", "9", "]".</param>
        /// <param name="answer">The expression's value, 0 to 9.</param>
        public ListOpsExample(string[] tokens, int answer)
        {
            _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
            if ((uint)answer > 9)
                throw new ArgumentOutOfRangeException(nameof(answer), answer, "A ListOps answer is a digit, 0 to 9.");
            Answer = answer;
        }

        /// <summary>The expression's tokens.</summary>
        public IReadOnlyList<string> Tokens => _tokens;

        /// <summary>The number of tokens.</summary>
        public int Length => _tokens.Length;

        /// <summary>The expression's value, 0 to 9 (the class).</summary>
        public int Answer { get; }

        /// <summary>The tokens separated by spaces.</summary>
        public string Text => string.Join(' ', _tokens);

        /// <summary>The token ids of <see cref="ListOpsVocabulary"/>, padded with 0 to <paramref name="length"/> when it is given.</summary>
        /// <param name="length">The length of the result; the token count when negative.</param>
        /// <returns>The ids.</returns>
        public int[] ToIds(int length = -1) => ListOpsVocabulary.Encode(_tokens, length);

        /// <inheritdoc />
        public override string ToString() => $"{Answer} <- {Text}";
    }
}
