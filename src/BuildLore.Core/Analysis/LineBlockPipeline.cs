using System.Collections.Concurrent;
using System.Text;

namespace BuildLore.Core.Analysis;

/// <summary>
/// Reads a log from a stream on a second thread, decoding it and cutting it into blocks of whole lines,
/// while the calling thread analyzes the blocks in order. Each block's cheap scan (the costliest part
/// of a log's reading) is a task of its own: blocks are independent, so the thread pool scans several
/// at once, and the calling thread scans a block itself when it reaches one no one has started. A few
/// blocks are in flight between the stages, so memory stays bounded.
/// </summary>
internal static class LineBlockPipeline
{
    private const int BlocksInFlight = 8;
    private const int ReadSize = LineBlockBuilder.DefaultBlockSize;

    public static void Run(Stream input, int maxLineLength, Action<LineBlock> consume, CancellationToken cancellationToken)
    {
        using var blocks = new BlockingCollection<Task<LineBlock>>(BlocksInFlight);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = Task.Factory.StartNew(() => Produce(input, maxLineLength, blocks, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var failed = false;
        try
        {
            foreach (var scanning in blocks.GetConsumingEnumerable(stop.Token))
            {
                // Waiting runs the scan here when no pool thread has started it yet.
                consume(scanning.GetAwaiter().GetResult());
            }
        }
        catch
        {
            failed = true;
            stop.Cancel(); // the reader must not wait for room that will never come
            throw;
        }
        finally
        {
            // Surface the reader's own failure (an I/O error, a cancellation) rather than a short analysis;
            // when this side failed first, the reader only stopped because it was told to.
            try
            {
                reader.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (failed)
            {
            }
            finally
            {
                while (blocks.TryTake(out var left))
                {
                    left.ContinueWith(static scanned => scanned.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
        }
    }

    private static void Produce(Stream input, int maxLineLength, BlockingCollection<Task<LineBlock>> blocks, CancellationToken cancellationToken)
    {
        try
        {
            var builder = new LineBlockBuilder(maxLineLength);
            Action<LineBlock> emit = block => blocks.Add(
                Task.Factory.StartNew(
                    static state =>
                    {
                        var (block, maxLineLength) = ((LineBlock, int))state!;
                        block.Scan(maxLineLength);
                        return block;
                    },
                    (block, maxLineLength), CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default),
                cancellationToken);

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
