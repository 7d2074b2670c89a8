mkdir -p /tmp/fmnist && tar -xJf .gpu-acc3/fmnist.tar.xz -C /tmp/fmnist && ls -la /tmp/fmnist
