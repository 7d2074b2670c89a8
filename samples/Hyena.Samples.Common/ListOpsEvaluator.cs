using System;
using System.Collections.Generic;

namespace Hyena.Samples
{
    /// <summary>
    /// Computes the value of a ListOps expression: MIN, MAX, MED (median; the mean of the two middle values,
    /// rounded down, for an even count) and SM (sum modulo 10) over digits and nested expressions.
    /// Parentheses, as in Long Range Arena's TSV files, are ignored.
    /// </summary>
    public static class ListOpsEvaluator
    {
        /// <summary>Evaluates an expression written as space-separated tokens, such as "[MAX 2 9 [MIN 4 7 ] 0 ]".</summary>
        /// <param name="expression">The expression.</param>
        /// <returns>Its value, 0 to 9.</returns>
        /// <exception cref="FormatException">The expression is malformed.</exception>
        public static int Evaluate(string expression)
        {
            ArgumentNullException.ThrowIfNull(expression);
            return Evaluate(Tokenize(expression));
        }

        /// <summary>Splits an expression at white space into tokens.</summary>
        /// <param name="expression">The expression.</param>
        /// <returns>The tokens.</returns>
        public static string[] Tokenize(string expression)
        {
            ArgumentNullException.ThrowIfNull(expression);
            return expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        }

        /// <summary>Evaluates an expression given as tokens ("[MIN", "[MAX", "[MED", "[SM", "]", "0" to "9"; "(" and ")" are skipped).</summary>
        /// <param name="tokens">The tokens.</param>
        /// <returns>Its value, 0 to 9.</returns>
        /// <exception cref="FormatException">The expression is malformed: an unknown token, an operator without arguments, an unbalanced "]", or more than one top-level value.</exception>
        public static int Evaluate(IReadOnlyList<string> tokens)
        {
            ArgumentNullException.ThrowIfNull(tokens);

            var operators = new Stack<string>();
            var arguments = new Stack<List<int>>();
            int? result = null;
            for (int i = 0; i < tokens.Count; i++)
            {
                string token = tokens[i] ?? throw new FormatException($"Token {i} is null.");
                switch (token)
                {
                    case "(":
                    case ")":
                        continue;
                    case ListOpsVocabulary.MinToken:
                    case ListOpsVocabulary.MaxToken:
                    case ListOpsVocabulary.MedianToken:
                    case ListOpsVocabulary.SumModToken:
                        if (result is not null && operators.Count == 0)
                            throw new FormatException($"Token {i} '{token}' follows a complete expression.");
                        operators.Push(token);
                        arguments.Push(new List<int>());
                        continue;
                    case ListOpsVocabulary.CloseToken:
                        if (operators.Count == 0)
                            throw new FormatException($"Token {i} ']' closes no operator.");
                        string op = operators.Pop();
                        List<int> args = arguments.Pop();
                        if (args.Count == 0)
                            throw new FormatException($"Token {i} ']' closes '{op}' without arguments.");
                        Add(Apply(op, args), i);
                        continue;
                }

                if (token.Length == 1 && token[0] is >= '0' and <= '9')
                {
                    Add(token[0] - '0', i);
                    continue;
                }

                throw new FormatException($"Token {i} '{token}' is not a ListOps token.");
            }

            if (operators.Count > 0)
                throw new FormatException($"The expression ends with {operators.Count} operator(s) not closed by ']'.");
            return result ?? throw new FormatException("The expression is empty.");

            void Add(int value, int position)
            {
                if (arguments.Count > 0)
                {
                    arguments.Peek().Add(value);
                }
                else if (result is null)
                {
                    result = value;
                }
                else
                {
                    throw new FormatException($"Token {position} adds a second top-level value.");
                }
            }
        }

        /// <summary>Applies an operator to its arguments.</summary>
        /// <param name="operatorToken">"[MIN", "[MAX", "[MED" or "[SM".</param>
        /// <param name="arguments">One or more digits.</param>
        /// <returns>The result, 0 to 9.</returns>
        public static int Apply(string operatorToken, IReadOnlyList<int> arguments)
        {
            ArgumentNullException.ThrowIfNull(operatorToken);
            ArgumentNullException.ThrowIfNull(arguments);
            if (arguments.Count == 0)
                throw new ArgumentException("An operator needs at least one argument.", nameof(arguments));

            switch (operatorToken)
            {
                case ListOpsVocabulary.MinToken:
                {
                    int min = int.MaxValue;
                    foreach (int a in arguments)
                        min = Math.Min(min, a);
                    return min;
                }

                case ListOpsVocabulary.MaxToken:
                {
                    int max = int.MinValue;
                    foreach (int a in arguments)
                        max = Math.Max(max, a);
                    return max;
                }

                case ListOpsVocabulary.MedianToken:
                {
                    var sorted = new int[arguments.Count];
                    for (int k = 0; k < sorted.Length; k++)
                        sorted[k] = arguments[k];
                    Array.Sort(sorted);
                    int mid = sorted.Length / 2;
                    return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
                }

                case ListOpsVocabulary.SumModToken:
                {
                    int sum = 0;
                    foreach (int a in arguments)
                        sum += a;
                    return sum % 10;
                }

                default:
                    throw new ArgumentException($"'{operatorToken}' is not a ListOps operator.", nameof(operatorToken));
            }
        }
    }
}
