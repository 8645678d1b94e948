using System.Collections.Concurrent;
using System.Text;

namespace BuildLore.Core.Analysis;

/// <summary>
/// Reads a log from a stream on a second thread: decoding, cutting into blocks of whole lines and the
/// cheap scan of each block happen there, while the calling thread analyzes the blocks in order. A
/// few blocks are buffered between the two, so memory stays bounded.
/// </summary>
internal static class LineBlockPipeline
{
    private const int BlocksInFlight = 4;
    private const int ReadSize = LineBlockBuilder.DefaultBlockSize;

    public static void Run(Stream input, int maxLineLength, Action<LineBlock> consume, CancellationToken cancellationToken)
    {
        using var blocks = new BlockingCollection<LineBlock>(BlocksInFlight);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = Task.Factory.StartNew(() => Produce(input, maxLineLength, blocks, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var block in blocks.GetConsumingEnumerable(stop.Token))
            {
                consume(block);
            }
        }
        catch
        {
            stop.Cancel(); // the reader must not wait for room that will never come
            throw;
        }
        finally
        {
            // Surface the reader's own failure (an I/O error, a cancellation) rather than a short analysis.
            try
            {
                reader.GetAwaiter().GetResult();
            }
            finally
            {
                while (blocks.TryTake(out var left))
                {
                    left.Dispose();
                }
            }
        }
    }

    private static void Produce(Stream input, int maxLineLength, BlockingCollection<LineBlock> blocks, CancellationToken cancellationToken)
    {
        try
        {
            var builder = new LineBlockBuilder(maxLineLength);
            Action<LineBlock> emit = block =>
            {
                block.Scan(maxLineLength);
                blocks.Add(block, cancellationToken);
            };

            // Invalid UTF-8 becomes U+FFFD rather than an exception: binary junk in a log must not stop the analysis.
            using var text = new StreamReader(input, new UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true, ReadSize, leaveOpen: true);
            var buffer = new char[ReadSize];
            int read;
            while ((read = text.Read(buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                builder.Append(buffer.AsSpan(0, read), emit);
            }

            if (builder.Finish() is { } last)
            {
                emit(last);
            }
        }
        finally
        {
            blocks.CompleteAdding();
        }
    }
}
